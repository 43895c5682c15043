package spec

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
)

// aliasBomb writes a "billion laughs" that fits the spec's own shape, so a
// decoder without bounds expands all of it: fanout tokens, each with fanout
// statements, each with fanout actions, all through aliases. fanout 485
// makes about 4.5 KB that expands to more than 100 million nodes.
func aliasBomb(fanout int) []byte {
	refs := func(name string) string {
		return "[" + strings.TrimSuffix(strings.Repeat("*"+name+",", fanout), ",") + "]"
	}
	return fmt.Appendf(nil, `x-actions: &a [x]
x-statement: &s {effect: allow, resources: ["*"], actions: %s}
x-token: &t {name: bomb, inlineRole: %s}
tokens: %s
`, refs("a"), refs("s"), refs("t"))
}

// mergeBomb writes merge keys that pull in the level below fanout times, depth
// levels deep: few keys in the end, but fanout^depth mappings to resolve.
func mergeBomb(fanout, depth int) []byte {
	var b strings.Builder
	b.WriteString("x-m0: &m0 {role: reader}\n")
	for i := 1; i <= depth; i++ {
		fmt.Fprintf(&b, "x-m%d: &m%d {<<: [%s]}\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*m%d,", i-1), fanout), ","))
	}
	fmt.Fprintf(&b, "tokens:\n  - name: a\n    <<: *m%d\n", depth)
	return []byte(b.String())
}

// keysBomb writes a mapping of keys unknown to a token, aliased as a token
// many times: every key is a problem, so without a bound on keys the
// problems alone would fill memory.
func keysBomb(keys, tokens int) []byte {
	var b strings.Builder
	b.WriteString("x-t: &t {")
	for i := range keys {
		fmt.Fprintf(&b, "k%d: 1, ", i)
	}
	b.WriteString("}\ntokens: [" + strings.TrimSuffix(strings.Repeat("*t,", tokens), ",") + "]\n")
	return []byte(b.String())
}

// decodeCounting decodes data as decodeFile does and returns the problems
// and the decoder, whose counters say how much work it did.
func decodeCounting(t *testing.T, data []byte) (Errors, *decoder) {
	t.Helper()
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal(data, &doc))
	var c errs
	d := newDecoder("bomb.yaml", &c)
	var f File
	d.decode(doc.Content[0], reflect.ValueOf(&f).Elem(), "spec")
	return c.list, d
}

func TestAliasExpansionIsBounded(t *testing.T) {
	bomb := aliasBomb(485)
	require.InDelta(t, 4500, len(bomb), 300, "the bomb is about 4.5 KB")
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"aliases", bomb, "bomb.yaml:4:10: aliases and merge keys expand this file to more than 100000 nodes: share smaller blocks, or write the values out"},
		{"merge keys", mergeBomb(10, 12), "bomb.yaml:16:9: aliases and merge keys expand this file to more than 100000 nodes"},
		{"unknown keys", keysBomb(500, 300), "bomb.yaml:2:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, d := decodeCounting(t, tt.data)
			assert.True(t, d.stopped)
			assert.LessOrEqual(t, d.aliasNodes, maxAliasNodes+1, "decoding stops at the bound")
			require.NotNil(t, d.stopErr)
			assert.Contains(t, d.stopErr.Error(), tt.want)

			_, err := Parse("bomb.yaml", tt.data)
			var errs Errors
			require.ErrorAs(t, err, &errs)
			require.Len(t, errs, 1, "the bound is the file's one problem: %v", err)
			assert.Contains(t, errs[0].Error(), tt.want)
		})
	}
}

func TestAliasesWithinTheBoundAreExpanded(t *testing.T) {
	// Ten tokens sharing a block through a merge key and an alias: counted,
	// far below the bound, and decoded.
	var b strings.Builder
	b.WriteString("x-base: &base {role: reader, customRoles: null}\nx-desc: &desc shared\ntokens:\n")
	for i := range 10 {
		fmt.Fprintf(&b, "  - {name: t%d, description: *desc, <<: *base}\n", i)
	}
	errs, d := decodeCounting(t, []byte(b.String()))
	require.Empty(t, errs)
	assert.False(t, d.stopped)
	assert.Equal(t, 10*(1+1+2+2), d.aliasNodes, "per token: the description; the merged block, its two keys and their values")
}

func TestMergeDepthIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("x-m0: &m0 {role: reader}\n")
	for i := 1; i <= maxAliasDepth+1; i++ {
		fmt.Fprintf(&b, "x-m%d: &m%d {<<: *m%d}\n", i, i, i-1)
	}
	fmt.Fprintf(&b, "tokens:\n  - name: a\n    <<: *m%d\n", maxAliasDepth+1)
	_, err := Parse("deep.yaml", []byte(b.String()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "aliases and merge keys nest more than 16 deep here: flatten them")

	// One level less is fine.
	b.Reset()
	b.WriteString("x-m0: &m0 {role: reader}\n")
	for i := 1; i < maxAliasDepth; i++ {
		fmt.Fprintf(&b, "x-m%d: &m%d {<<: *m%d}\n", i, i, i-1)
	}
	fmt.Fprintf(&b, "tokens:\n  - name: a\n    <<: *m%d\n", maxAliasDepth-1)
	s, err := Parse("deep.yaml", []byte(b.String()))
	require.NoError(t, err)
	assert.Equal(t, "reader", s.Tokens[0].Role)
}

// BenchmarkAliasBomb measures how fast, and in how little memory, a hostile
// spec is refused: the 4.5 KB bomb of the issue took 43 s and 3.5 GB before
// aliases were bounded.
func BenchmarkAliasBomb(b *testing.B) {
	for _, tc := range []struct {
		name string
		data []byte
	}{{"aliases", aliasBomb(485)}, {"merges", mergeBomb(10, 12)}, {"unknown keys", keysBomb(500, 300)}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.data)))
			for b.Loop() {
				if _, err := Parse("bomb.yaml", tc.data); err == nil {
					b.Fatal("the bomb was accepted")
				}
			}
		})
	}
}
