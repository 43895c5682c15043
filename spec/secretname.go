package spec

import (
	"regexp"
	"strings"
)

// secretNameRE is what GitHub accepts as a secret name (besides the GITHUB_
// prefix it reserves), upper case only so that names differing in case only,
// which GitHub treats as one, cannot both be written.
var secretNameRE = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)

// reservedSecretPrefix starts the secret names GitHub keeps for itself.
const reservedSecretPrefix = "GITHUB_"

// SinkName returns the name a secret sink stores t's secret under: its
// secretName, else DefaultSecretName of its name.
func (t Token) SinkName() string {
	if t.SecretName != "" {
		return t.SecretName
	}
	return DefaultSecretName(t.Name)
}

// DefaultSecretName derives a secret name from a token name: upper-cased,
// every run of characters other than A-Z and 0-9 turned into one _, and
// prefixed with LD_ when it would start with a digit. "ci-deployer" gives
// CI_DEPLOYER, "2fa bot" LD_2FA_BOT.
func DefaultSecretName(tokenName string) string {
	var b strings.Builder
	b.Grow(len(tokenName) + len("LD_"))
	sep := false
	for i := 0; i < len(tokenName); i++ {
		c := tokenName[i]
		switch {
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		default:
			if !sep {
				b.WriteByte('_')
				sep = true
			}
			continue
		}
		b.WriteByte(c)
		sep = false
	}
	s := b.String()
	if s != "" && s[0] >= '0' && s[0] <= '9' {
		s = "LD_" + s
	}
	return s
}

// validateSecretNames checks that every token's sink name is valid for GitHub
// and that no two tokens share one (absent tokens included: deleting one
// would delete the other's stored secret). It changes nothing.
func validateSecretNames(tokens []Token, c *errs) {
	first := map[string]*Token{}
	for i := range tokens {
		t := &tokens[i]
		if t.Name == "" || t.invalid["secretName"] || t.invalid[wholeValue] {
			continue
		}
		name := t.SinkName()
		pos, whose := t.FieldPos("secretName"), "secretName "+name
		if !t.has("secretName") {
			pos, whose = t.FieldPos("name"), "secret name "+name+" (derived from the name)"
		}
		switch {
		case t.has("secretName") && t.SecretName == "":
			c.add(pos, "token %q: secretName is empty: leave it out for the default, %s", t.Name, name)
			continue
		case !secretNameRE.MatchString(name):
			c.add(pos, "token %q: secretName %q is not a valid GitHub secret name: use A-Z, 0-9 and _, not starting with a digit", t.Name, name)
			continue
		case strings.HasPrefix(name, reservedSecretPrefix):
			c.add(pos, "token %q: %s starts with %s, which GitHub reserves: set secretName: to another name", t.Name, whose, reservedSecretPrefix)
			continue
		}
		if other, dup := first[name]; dup && other.Name != t.Name { // a repeated name is reported as such
			c.add(pos, "token %q: secret name %s is also the secret name of token %q (%s): set secretName: on one of them", t.Name, name, other.Name, other.sinkNamePos())
			continue
		}
		first[name] = t
	}
}

// sinkNamePos is where t's sink name comes from: its secretName, else its name.
func (t Token) sinkNamePos() Position {
	return t.posOf("secretName", t.FieldPos("name"))
}
