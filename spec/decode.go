package spec

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// decoder decodes YAML nodes into the spec's types, strictly: unknown and
// repeated keys, and values of the wrong kind, are errors at their position.
type decoder struct {
	file    string
	c       *errs
	structs map[reflect.Type]structKeys
}

func newDecoder(file string, c *errs) *decoder {
	return &decoder{file: file, c: c, structs: map[reflect.Type]structKeys{}}
}

// structKeys are the keys a struct type takes, from its json tags: the
// field index of each, and all of them in field order for messages.
type structKeys struct {
	index map[string]int
	names []string
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
	k := structKeys{index: map[string]int{}}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			k.index[name] = i
			k.names = append(k.names, name)
		}
	}
	d.structs[t] = k
	return k
}

func (d *decoder) pos(n *yaml.Node) Position {
	return Position{File: d.file, Line: n.Line, Column: n.Column}
}

var (
	durationType = reflect.TypeOf(Duration{})
	positionType = reflect.TypeOf(Position{})
	tokenType    = reflect.TypeOf(Token{})
)

func (d *decoder) decode(n *yaml.Node, v reflect.Value, what string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if v.Type() == durationType {
		if n.Kind != yaml.ScalarNode {
			d.c.add(d.pos(n), "%s must be a duration such as 90d, 12h or 30m", what)
			return
		}
		dur, err := ParseDuration(n.Value)
		if err != nil {
			d.c.add(d.pos(n), "%s: %v", what, err)
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
			d.c.add(d.pos(n), "%s must be a list", what)
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", what, i))
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
			d.c.add(d.pos(n), "%s must be a string", what)
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
			d.c.add(d.pos(n), "%s must be true or false, not %q", what, n.Value)
			return
		}
		v.SetBool(b)
	case reflect.Int:
		i, err := strconv.Atoi(n.Value)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil {
			d.c.add(d.pos(n), "%s must be a whole number, not %q", what, n.Value)
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
		d.c.add(d.pos(n), "%s must be a mapping of keys to values", what)
		if rec != nil {
			rec.markInvalid(wholeValue)
		}
		return
	}
	if t == tokenType {
		what = tokenLabel(what, n)
	}
	keys := d.keysOf(t)
	seen := map[string]Position{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key := k.Value
		if prev, dup := seen[key]; dup {
			d.c.add(d.pos(k), "%s: key %q is repeated (first at line %d)", what, key, prev.Line)
			continue
		}
		idx, ok := keys.index[key]
		if !ok {
			msg := fmt.Sprintf("%s: unknown key %q", what, key)
			if what == "spec" {
				msg = fmt.Sprintf("unknown key %q", key)
			}
			if s := suggest(key, keys.names); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else {
				msg += "; known keys are " + strings.Join(keys.names, ", ")
			}
			d.c.add(d.pos(k), "%s", msg)
			continue
		}
		seen[key] = d.pos(val)
		if rec != nil {
			rec.setKey(key, d.pos(val))
		}
		before := len(d.c.list)
		d.decode(val, v.Field(idx), childName(what, key))
		if len(d.c.list) > before && rec != nil {
			rec.markInvalid(key)
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
	case strings.HasPrefix(what, `token "`) && !strings.Contains(what, ": "):
		return what + ": " + key
	}
	return what + "." + key
}

// tokenLabel names a token entry by its name when it has one, so messages say
// `token "ci": role` rather than `tokens[3].role`.
func tokenLabel(what string, n *yaml.Node) string {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "name" && n.Content[i+1].Kind == yaml.ScalarNode && n.Content[i+1].Value != "" {
			return fmt.Sprintf("token %q", n.Content[i+1].Value)
		}
	}
	return what
}
