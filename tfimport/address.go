package tfimport

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// keyKind orders instance keys as Terraform does: none, then numbers, then
// strings.
type keyKind int

const (
	noKey keyKind = iota
	intKey
	stringKey
)

// instanceKey is the key of a count (a number) or for_each (a string)
// instance.
type instanceKey struct {
	kind keyKind
	num  int
	str  string
}

// String is the key as Terraform writes it in an address: [0] or ["a b"].
func (k instanceKey) String() string {
	switch k.kind {
	case intKey:
		return "[" + strconv.Itoa(k.num) + "]"
	case stringKey:
		return "[" + hclQuote(k.str) + "]"
	}
	return ""
}

// address is a resource instance address of an access token.
type address struct {
	// module is the module instance address ("" for the root module), as
	// the state writes it: module.tokens["eu"].module.inner.
	module string
	name   string
	key    instanceKey
	// given is the address as `terraform show -json` wrote it, if it did.
	given string
}

// String is the address as Terraform writes it:
// module.tokens.launchdarkly_access_token.svc["a b"].
func (a address) String() string {
	if a.given != "" {
		return a.given
	}
	s := ResourceType + "." + a.name + a.key.String()
	if a.module != "" {
		s = a.module + "." + s
	}
	return s
}

// compare orders addresses by module, name, then key.
func (a address) compare(b address) int {
	return cmp.Or(
		strings.Compare(a.module, b.module),
		strings.Compare(a.name, b.name),
		cmp.Compare(a.key.kind, b.key.kind),
		cmp.Compare(a.key.num, b.key.num),
		strings.Compare(a.key.str, b.key.str),
	)
}

// hclQuote quotes s as Terraform quotes a for_each key in an address
// (addrs.StringKey): HCL's quoted-string syntax, with the template
// introducers ${ and %{ doubled so that they stay literal.
func hclQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch r {
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '$', '%':
			b.WriteRune(r)
			if strings.HasPrefix(s[i+1:], "{") {
				b.WriteRune(r)
			}
		default:
			if unicode.IsPrint(r) {
				b.WriteRune(r)
			} else if r < 0x10000 {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// ShellQuote quotes s for a POSIX shell so that it reaches the command as
// one argument, unchanged: the whole of s in single quotes, each single
// quote in s closing the quotes, escaped with a backslash, and reopening.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
