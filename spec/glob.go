package spec

import (
	"errors"
	"unicode/utf8"
)

// MatchAny reports whether name matches any of the globs. Globs select token
// names in prune.match, ignore and policy rules. Token names are not paths,
// so unlike path.Match a * crosses /:
//
//	ci-*      a star matches any characters, none included: ci-, ci-x/y
//	svc-?     a question mark matches exactly one character
//	[a-c]x    a class matches one of its characters: ax, bx, cx (a-c is a range)
//	[!a-c]x   so does a negated one, one character not in it ([^a-c] too)
//	\*x       a backslash makes the next character literal: *x
//
// A glob matches the whole name, case-sensitively. A glob that CheckGlob
// rejects matches nothing (Load rejects such globs first).
func MatchAny(globs []string, name string) bool {
	for _, g := range globs {
		if matchGlob(g, name) {
			return true
		}
	}
	return false
}

// CheckGlob returns an error saying what is wrong with glob, or nil when it
// is well formed.
func CheckGlob(glob string) error {
	for i := 0; i < len(glob); {
		switch glob[i] {
		case '\\':
			if i+1 == len(glob) {
				return errors.New(`it ends with \: escape a character, or drop the \`)
			}
			_, w := utf8.DecodeRuneInString(glob[i+1:])
			i += 1 + w
		case '[':
			end, err := classEnd(glob, i)
			if err != nil {
				return err
			}
			i = end
		default:
			i++
		}
	}
	return nil
}

// classEnd checks the class that opens at glob[start] and returns the index
// just after its closing ].
func classEnd(glob string, start int) (int, error) {
	i := start + 1
	if i < len(glob) && (glob[i] == '!' || glob[i] == '^') {
		i++
	}
	first := true
	for {
		if i >= len(glob) {
			return 0, errors.New("a [ is not closed: close the class with ], or write \\[ for a [")
		}
		if glob[i] == ']' {
			if first {
				return 0, errors.New("[] is an empty class: list characters inside, or write \\[\\] for the brackets")
			}
			return i + 1, nil
		}
		lo, w, err := classChar(glob, i)
		if err != nil {
			return 0, err
		}
		i += w
		if i+1 < len(glob) && glob[i] == '-' && glob[i+1] != ']' {
			hi, w, err := classChar(glob, i+1)
			if err != nil {
				return 0, err
			}
			if hi < lo {
				return 0, errors.New("a range in [ ] goes backwards: write it low to high, such as [a-z]")
			}
			i += 1 + w
		}
		first = false
	}
}

// classChar reads one character of a class, escaped or not.
func classChar(glob string, i int) (rune, int, error) {
	if glob[i] == '\\' {
		if i+1 == len(glob) {
			return 0, 0, errors.New("a [ is not closed: close the class with ], or write \\[ for a [")
		}
		r, w := utf8.DecodeRuneInString(glob[i+1:])
		return r, 1 + w, nil
	}
	r, w := utf8.DecodeRuneInString(glob[i:])
	return r, w, nil
}

// matchGlob matches name against a glob, backtracking only to the last star:
// time is at most the product of the two lengths.
func matchGlob(glob, name string) bool {
	gi, ni := 0, 0
	starG, starN := -1, 0
	for gi < len(glob) || ni < len(name) {
		if gi < len(glob) {
			if glob[gi] == '*' {
				starG, starN = gi, ni
				gi++
				continue
			}
			if ni < len(name) {
				r, w := utf8.DecodeRuneInString(name[ni:])
				if next, ok := matchOne(glob, gi, r); ok {
					gi, ni = next, ni+w
					continue
				}
			}
		}
		if starG < 0 || starN == len(name) {
			return false
		}
		// Let the last star take one more character, and try again after it.
		_, w := utf8.DecodeRuneInString(name[starN:])
		starN += w
		gi, ni = starG+1, starN
	}
	return true
}

// matchOne matches the glob element at glob[i] (not a star) against r. It
// returns the index after the element.
func matchOne(glob string, i int, r rune) (int, bool) {
	switch glob[i] {
	case '?':
		return i + 1, true
	case '\\':
		if i+1 == len(glob) {
			return 0, false
		}
		c, w := utf8.DecodeRuneInString(glob[i+1:])
		return i + 1 + w, c == r
	case '[':
		end, err := classEnd(glob, i)
		if err != nil {
			return 0, false
		}
		j := i + 1
		negate := glob[j] == '!' || glob[j] == '^'
		if negate {
			j++
		}
		in := false
		for j < end-1 {
			lo, w, _ := classChar(glob, j)
			j += w
			hi := lo
			if j+1 < end-1 && glob[j] == '-' {
				hi, w, _ = classChar(glob, j+1)
				j += 1 + w
			}
			if lo <= r && r <= hi {
				in = true
			}
		}
		return end, in != negate
	}
	c, w := utf8.DecodeRuneInString(glob[i:])
	return i + w, c == r
}
