package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Load reads the spec files and directories in paths (a directory means its
// *.yaml and *.yml files) and validates them together. On any problem it
// returns Errors, every problem found, and no Spec.
func Load(paths ...string) (*Spec, error) {
	if len(paths) == 0 {
		return nil, errors.New("no spec given: pass -f FILE or -f DIR")
	}
	var files []string
	for _, p := range paths {
		found, err := expand(p)
		if err != nil {
			return nil, err
		}
		files = append(files, found...)
	}
	var c errs
	var parsed []parsedFile
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read spec: %w", err)
		}
		pf := decodeFile(f, data, &c)
		parsed = append(parsed, pf)
	}
	s := merge(parsed, &c)
	s.Files = files
	c.sort(files)
	if err := c.err(); err != nil {
		return nil, err
	}
	return s, nil
}

// Parse reads one spec document from data as if it came from file name.
func Parse(name string, data []byte) (*Spec, error) {
	var c errs
	s := merge([]parsedFile{decodeFile(name, data, &c)}, &c)
	s.Files = []string{name}
	c.sort(s.Files)
	if err := c.err(); err != nil {
		return nil, err
	}
	return s, nil
}

func expand(p string) ([]string, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	if !info.IsDir() {
		return []string{p}, nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	var out []string
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
			out = append(out, filepath.Join(p, e.Name()))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("read spec: %s has no *.yaml or *.yml file", p)
	}
	sort.Strings(out)
	return out, nil
}

type parsedFile struct {
	name     string
	file     File
	prunePos Position
}

var yamlLineRE = regexp.MustCompile(`line (\d+)(?::(\d+))?`)

func decodeFile(name string, data []byte, c *errs) parsedFile {
	pf := parsedFile{name: name}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return pf // an empty file declares nothing
		}
		pos := Position{File: name, Line: 1, Column: 1}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			pos.Line, _ = strconv.Atoi(m[1])
			if m[2] != "" {
				pos.Column, _ = strconv.Atoi(m[2])
			}
			msg = strings.TrimSpace(yamlLineRE.ReplaceAllString(msg, ""))
			msg = strings.TrimPrefix(msg, ": ")
		}
		c.add(pos, "not valid YAML: %s", msg)
		return pf
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		c.add(Position{File: name, Line: extra.Line, Column: extra.Column}, "more than one YAML document: put each spec in its own file")
	}
	if len(doc.Content) == 0 {
		return pf
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return pf
	}
	d := decoder{file: name, c: c, structs: map[reflect.Type]structKeys{}}
	d.decode(root, reflect.ValueOf(&pf.file).Elem(), "spec")
	if pf.file.Prune != nil {
		pf.prunePos = pf.file.Prune.Pos
	}
	return pf
}

// decoder decodes YAML nodes into the spec's types, strictly: unknown and
// repeated keys, and values of the wrong kind, are errors at their position.
type decoder struct {
	file    string
	c       *errs
	structs map[reflect.Type]structKeys
}

// structKeys are the keys a struct type takes, from its json tags: the
// field index of each, and all of them in field order for messages.
type structKeys struct {
	index map[string]int
	names []string
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
	if n.Kind != yaml.MappingNode {
		d.c.add(d.pos(n), "%s must be a mapping of keys to values", what)
		markInvalid(v, wholeValue)
		return
	}
	if t == tokenType {
		what = tokenLabel(what, n)
	}
	keys := d.keysOf(t)
	seen := map[string]Position{}
	if f := v.FieldByName("fields"); f.IsValid() {
		// fields is unexported: set it through its address.
		reflect.NewAt(f.Type(), f.Addr().UnsafePointer()).Elem().Set(reflect.ValueOf(seen))
	}
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
		before := len(d.c.list)
		d.decode(val, v.Field(idx), childName(what, key))
		if len(d.c.list) > before {
			markInvalid(v, key)
		}
	}
}

// wholeValue marks a value that is not even a mapping.
const wholeValue = "*"

// markInvalid records, in a struct with an invalid field, that key could not
// be decoded, so that validation does not report it again.
func markInvalid(v reflect.Value, key string) {
	f := v.FieldByName("invalid")
	if !f.IsValid() {
		return
	}
	m := reflect.NewAt(f.Type(), f.Addr().UnsafePointer()).Elem()
	if m.IsNil() {
		m.Set(reflect.ValueOf(map[string]bool{}))
	}
	m.SetMapIndex(reflect.ValueOf(key), reflect.ValueOf(true))
}

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
