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
	normalise(s)
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
	normalise(s)
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
	name string
	file File
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
	before := len(c.list)
	d := newDecoder(name, c)
	d.decode(root, reflect.ValueOf(&pf.file).Elem(), "spec")
	if d.stopped {
		// What was decoded before the bound was crossed is partial, and its
		// problems may be the same few repeated through aliases: the bound
		// is the one problem of this file.
		c.list = append(c.list[:before], d.stopErr)
		pf.file = File{}
	}
	return pf
}
