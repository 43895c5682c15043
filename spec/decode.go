package spec

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Bounds on what aliases and merge keys may expand to. A spec comes from a
// pull request: without them, a few kilobytes of nested aliases (a "billion
// laughs") expand to billions of nodes.
const (
	// maxAliasNodes caps the nodes one file may reach through aliases and
	// merge keys, counted every time they are reached. Sharing a block of
	// ten keys with a thousand tokens takes about 20,000.
	maxAliasNodes = 100_000
	// maxAliasDepth caps how many aliases and merge keys may be expanded
	// inside one another.
	maxAliasDepth = 16
)

// decoder decodes YAML nodes into the spec's types, strictly: unknown and
// repeated keys, and values of the wrong kind, are errors at their position.
// It follows aliases and resolves merge keys (<<) itself, within the bounds
// above; every position it records is where the value is written.
type decoder struct {
	file    string
	c       *errs
	structs map[reflect.Type]structKeys
	// aliasNodes counts the nodes reached through an alias or a merge key.
	aliasNodes int
	// aliasDepth is how many aliases and merge keys are being expanded, and
	// aliasRoot the outermost of them: where a bound is reported.
	aliasDepth int
	aliasRoot  *yaml.Node
	// merging holds the mappings whose keys are being resolved, to find a
	// merge key that pulls in a mapping it is part of.
	merging map[*yaml.Node]bool
	// stopped is set when a bound is crossed: nothing more is decoded, and
	// stopErr is the one problem to report for the file.
	stopped bool
	stopErr *Error
	// failures counts the problems found, reported or not; reported holds
	// the positions reported.
	failures int
	reported map[Position]bool
}

func newDecoder(file string, c *errs) *decoder {
	return &decoder{file: file, c: c, structs: map[reflect.Type]structKeys{}, merging: map[*yaml.Node]bool{}, reported: map[Position]bool{}}
}

// fail reports a problem at n, once per position: a node reached through
// several aliases is reported the first time only (and its message is not
// even formatted again).
func (d *decoder) fail(n *yaml.Node, format string, args ...any) {
	d.failures++
	p := d.pos(n)
	if d.reported[p] {
		return
	}
	d.reported[p] = true
	d.c.add(p, format, args...)
}

// unknownKey is the message for a key a type does not take, formatted only
// when it is reported.
type unknownKey struct {
	what, key string
	known     []string
}

func (u unknownKey) String() string {
	msg := fmt.Sprintf("%s: unknown key %q", u.what, u.key)
	if u.what == "spec" {
		msg = fmt.Sprintf("unknown key %q", u.key)
	}
	if s := suggest(u.key, u.known); s != "" {
		return msg + fmt.Sprintf("; did you mean %q?", s)
	}
	return msg + "; known keys are " + strings.Join(u.known, ", ")
}

// structKeys are the keys a struct type takes, from its json tags: the
// field index of each, all of them in field order for messages, and which
// hold globs (tag spec:"glob").
type structKeys struct {
	index map[string]int
	names []string
	globs map[string]bool
}

// keyRecorder is implemented by the types that remember where each of their
// keys was set (those that embed keyPositions).
type keyRecorder interface {
	setKey(key string, p Position)
	markInvalid(key string)
}

// keysOf reads the keys of t once a file, not once a token.
func (d *decoder) keysOf(t reflect.Type) structKeys {
	if k, ok := d.structs[t]; ok {
		return k
	}
	k := structKeys{index: map[string]int{}, globs: map[string]bool{}}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			k.index[name] = i
			k.names = append(k.names, name)
			k.globs[name] = f.Tag.Get("spec") == "glob"
		}
	}
	d.structs[t] = k
	return k
}

func (d *decoder) pos(n *yaml.Node) Position {
	return Position{File: d.file, Line: n.Line, Column: n.Column}
}

// stop records the one problem that ends decoding of the file.
func (d *decoder) stop(n *yaml.Node, format string, args ...any) {
	if !d.stopped {
		d.stopped, d.stopErr = true, Errorf(d.pos(n), format, args...)
	}
}

// count counts one node reached through an alias or merge key, and reports
// whether decoding may go on.
func (d *decoder) count(n *yaml.Node) bool {
	if d.stopped {
		return false
	}
	if d.aliasDepth > 0 {
		d.aliasNodes++
		if d.aliasNodes > maxAliasNodes {
			d.stop(d.aliasRoot, "aliases and merge keys expand this file to more than %d nodes: share smaller blocks, or write the values out", maxAliasNodes)
			return false
		}
	}
	return true
}

// enter starts the expansion of an alias or merge key at n, and reports
// whether it is within the depth bound; leave ends it.
func (d *decoder) enter(n *yaml.Node) bool {
	if d.aliasDepth == 0 {
		d.aliasRoot = n
	}
	d.aliasDepth++
	if d.aliasDepth > maxAliasDepth {
		d.stop(n, "aliases and merge keys nest more than %d deep here: flatten them", maxAliasDepth)
		return false
	}
	return true
}

func (d *decoder) leave() { d.aliasDepth-- }

var (
	durationType = reflect.TypeOf(Duration{})
	positionType = reflect.TypeOf(Position{})
	fileType     = reflect.TypeOf(File{})
)

// namedEntries are the types whose entries messages name by their name key,
// with the format of the label.
var namedEntries = map[reflect.Type]string{
	reflect.TypeOf(Token{}): "token %q",
	reflect.TypeOf(Rule{}):  "policy rule %q",
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, what string) {
	if !d.count(n) {
		return
	}
	if n.Kind == yaml.AliasNode {
		if d.enter(n) {
			d.decode(n.Alias, v, what)
		}
		d.leave()
		return
	}
	if v.Type() == durationType {
		if n.Kind != yaml.ScalarNode {
			d.fail(n, "%s must be a duration such as 90d, 12h or 30m", what)
			return
		}
		dur, err := ParseDuration(n.Value)
		if err != nil {
			d.fail(n, "%s: %v", what, err)
			return
		}
		v.Set(reflect.ValueOf(dur))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return
		}
		p := reflect.New(v.Type().Elem())
		d.decode(n, p.Elem(), what)
		v.Set(p)
	case reflect.Struct:
		d.decodeStruct(n, v, what)
	case reflect.Slice:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.fail(n, "%s must be a list", what)
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(item, s.Index(i), what+"["+strconv.Itoa(i)+"]")
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
			d.fail(n, "%s must be a string", what)
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
			d.fail(n, "%s must be true or false, not %q", what, n.Value)
			return
		}
		v.SetBool(b)
	case reflect.Int:
		i, err := strconv.Atoi(n.Value)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil {
			d.fail(n, "%s must be a whole number, not %q", what, n.Value)
			return
		}
		v.SetInt(int64(i))
	default:
		panic("spec: no decoding for " + v.Type().String())
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, what string) {
	t := v.Type()
	if f, ok := t.FieldByName("Pos"); ok && f.Type == positionType {
		v.FieldByIndex(f.Index).Set(reflect.ValueOf(d.pos(n)))
	}
	rec, _ := v.Addr().Interface().(keyRecorder)
	if n.Kind != yaml.MappingNode {
		d.fail(n, "%s must be a mapping of keys to values", what)
		if rec != nil {
			rec.markInvalid(wholeValue)
		}
		return
	}
	pairs := d.mappingPairs(n)
	if format, ok := namedEntries[t]; ok {
		what = entryLabel(what, format, pairs)
	}
	keys := d.keysOf(t)
	seen := map[string]Position{}
	for _, p := range pairs {
		// Keys count too: a mapping of many unknown keys, aliased many
		// times, would otherwise report unboundedly many problems.
		if !d.count(p.key) {
			return
		}
		key := p.key.Value
		if prev, dup := seen[key]; dup {
			d.fail(p.key, "%s: key %q is repeated (first at line %d)", what, key, prev.Line)
			continue
		}
		if t == fileType && strings.HasPrefix(key, "x-") {
			continue // a place for anchors
		}
		idx, ok := keys.index[key]
		if !ok {
			d.fail(p.key, "%s", unknownKey{what, key, keys.names})
			continue
		}
		val := p.value
		if val.Kind == yaml.AliasNode {
			val = val.Alias
		}
		seen[key] = d.pos(val)
		if rec != nil {
			rec.setKey(key, d.pos(val))
		}
		before := d.failures
		if p.merged {
			// A merged value is reached through its merge key: it counts
			// toward the bounds like an alias.
			if d.enter(p.value) {
				d.decode(p.value, v.Field(idx), childName(what, key))
			}
			d.leave()
		} else {
			d.decode(p.value, v.Field(idx), childName(what, key))
		}
		if d.failures == before && keys.globs[key] {
			d.checkGlobs(val, childName(what, key))
		}
		if d.failures > before && rec != nil {
			rec.markInvalid(key)
		}
	}
}

// keyValue is one entry of a mapping; merged when it came through a merge key.
type keyValue struct {
	key, value *yaml.Node
	merged     bool
}

// mappingPairs returns the entries of mapping n with its merge keys resolved:
// n's own entries in order, then each merged entry whose key n does not set
// (of several merged mappings, the earlier wins, as YAML specifies).
func (d *decoder) mappingPairs(n *yaml.Node) []keyValue {
	out := make([]keyValue, 0, len(n.Content)/2)
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind == yaml.AliasNode {
			k = k.Alias
		}
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merges = append(merges, n.Content[i+1])
			continue
		}
		out = append(out, keyValue{key: k, value: n.Content[i+1]})
	}
	if len(merges) == 0 {
		return out
	}
	d.merging[n] = true
	defer delete(d.merging, n)
	set := make(map[string]bool, len(out))
	for _, kv := range out {
		set[kv.key.Value] = true
	}
	for _, m := range merges {
		for _, src := range d.mergeSources(m) {
			if d.merging[src] {
				d.stop(m, "this merge key pulls in a mapping it is part of: merge a block defined outside it")
				return out
			}
			if d.enter(m) && d.count(src) {
				for _, kv := range d.mappingPairs(src) {
					if !d.count(kv.key) {
						break
					}
					if !set[kv.key.Value] {
						set[kv.key.Value] = true
						out = append(out, keyValue{key: kv.key, value: kv.value, merged: true})
					}
				}
			}
			d.leave()
			if d.stopped {
				return out
			}
		}
	}
	return out
}

// mergeSources returns the mappings a merge key's value m names: a mapping,
// an alias of one, or a list of those.
func (d *decoder) mergeSources(m *yaml.Node) []*yaml.Node {
	items := []*yaml.Node{m}
	if m.Kind == yaml.SequenceNode {
		items = m.Content
	}
	out := make([]*yaml.Node, 0, len(items))
	for _, it := range items {
		target := it
		if it.Kind == yaml.AliasNode {
			target = it.Alias
		}
		if target.Kind != yaml.MappingNode {
			d.fail(it, "<< merges mappings: give it an alias of a mapping (<<: *base), a mapping, or a list of aliases (<<: [*a, *b])")
			continue
		}
		out = append(out, target)
	}
	return out
}

// checkGlobs reports each malformed glob in the list n at its position.
func (d *decoder) checkGlobs(n *yaml.Node, what string) {
	for i, g := range n.Content {
		if g.Kind == yaml.AliasNode {
			g = g.Alias
		}
		if err := CheckGlob(g.Value); err != nil {
			d.fail(g, "%s[%d]: bad glob %q: %v", what, i, g.Value, err)
		}
	}
}

// wholeValue marks a value that is not even a mapping.
const wholeValue = "*"

// childName names a nested value in messages.
func childName(what, key string) string {
	switch {
	case what == "spec":
		return key
	case strings.HasSuffix(what, `"`) && !strings.Contains(what, ": "):
		return what + ": " + key // a named entry: token "ci": role
	}
	return what + "." + key
}

// entryLabel names an entry by its name when it has one, so messages say
// `token "ci": role` rather than `tokens[3].role`.
func entryLabel(what, format string, pairs []keyValue) string {
	for _, p := range pairs {
		v := p.value
		if v.Kind == yaml.AliasNode {
			v = v.Alias
		}
		if p.key.Value == "name" && v.Kind == yaml.ScalarNode && v.Value != "" {
			return fmt.Sprintf(format, v.Value)
		}
	}
	return what
}
