package secret

import (
	"fmt"
	"strings"
)

// Redacted is what a Secret prints as.
const Redacted = "[redacted]"

// Secret is an opaque secret value. The zero value is empty.
type Secret struct {
	value string
}

// New wraps a secret value.
func New(value string) Secret { return Secret{value: value} }

// Reveal returns the secret value. Call it only where the value must leave
// the process: an Authorization header or a secret sink.
func (s Secret) Reveal() string { return s.value }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.value == "" }

// Last4 returns the last four characters, as LaunchDarkly shows a token
// after creation, or "" for a secret shorter than twelve characters.
func (s Secret) Last4() string {
	if len(s.value) < 12 {
		return ""
	}
	return s.value[len(s.value)-4:]
}

// String implements fmt.Stringer and never returns the value.
func (s Secret) String() string { return Redacted }

// GoString implements fmt.GoStringer and never returns the value.
func (s Secret) GoString() string { return "secret.Secret{" + Redacted + "}" }

// Format implements fmt.Formatter so that every verb, %x and %q included,
// prints Redacted.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(s.GoString()))
		return
	}
	_, _ = f.Write([]byte(Redacted))
}

// MarshalJSON implements json.Marshaler and never returns the value.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText implements encoding.TextMarshaler and never returns the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// Scrub replaces every occurrence of the given secrets' values in text with
// Redacted. It is the last line of defence for text that came from outside
// (a sink command's stderr, a server's error message).
func Scrub(text string, secrets ...Secret) string {
	for _, s := range secrets {
		if len(s.value) >= 8 {
			text = strings.ReplaceAll(text, s.value, Redacted)
		}
	}
	return text
}
