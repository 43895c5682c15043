package tfimport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ResourceType is the Terraform resource type of LaunchDarkly access tokens.
const ResourceType = "launchdarkly_access_token"

// maxStateBytes bounds what Read reads: far above any real state.
const maxStateBytes = 256 << 20

// attributes are the attributes of a launchdarkly_access_token instance,
// in the names of the provider's schema: v3 (framework, schema version 1)
// and v2 (SDK, schema version 0: policy_statements and expire too).
//
// The token attribute, the secret, is deliberately not a field: decoding
// skips it, so it is never held, logged or returned.
type attributes struct {
	ID                string      `json:"id"`
	Name              string      `json:"name"`
	Role              string      `json:"role"`
	CustomRoles       []string    `json:"custom_roles"`
	InlineRoles       []statement `json:"inline_roles"`
	PolicyStatements  []statement `json:"policy_statements"`
	ServiceToken      bool        `json:"service_token"`
	DefaultAPIVersion int         `json:"default_api_version"`
	Expire            *int64      `json:"expire"`
}

// statement is one element of inline_roles or policy_statements.
type statement struct {
	Effect       string   `json:"effect"`
	Actions      []string `json:"actions"`
	NotActions   []string `json:"not_actions"`
	Resources    []string `json:"resources"`
	NotResources []string `json:"not_resources"`
}

// instance is one resource instance found in a state.
type instance struct {
	addr  address
	attrs attributes
}

// document is either shape of state, decoded in one pass: `terraform show
// -json` output (format_version, values) or a raw state (version,
// resources).
type document struct {
	FormatVersion string      `json:"format_version"`
	Values        *showValues `json:"values"`
	PlannedValues present     `json:"planned_values"`
	Version       *int        `json:"version"`
	Resources     []rawResource
}

// present records that a member is there, without keeping its value.
type present bool

func (p *present) UnmarshalJSON([]byte) error { *p = true; return nil }

type showValues struct {
	RootModule showModule `json:"root_module"`
}

type showModule struct {
	Address      string         `json:"address"`
	Resources    []showResource `json:"resources"`
	ChildModules []showModule   `json:"child_modules"`
}

// showResource is one resource instance of `terraform show -json`. Only an
// access token's values are decoded.
type showResource struct {
	Address    string
	Mode       string
	Type       string
	Name       string
	Index      json.RawMessage
	DeposedKey string
	Values     *attributes
}

func (r *showResource) UnmarshalJSON(b []byte) error {
	var head struct {
		Address    string          `json:"address"`
		Mode       string          `json:"mode"`
		Type       string          `json:"type"`
		Name       string          `json:"name"`
		Index      json.RawMessage `json:"index"`
		DeposedKey string          `json:"deposed_key"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return err
	}
	*r = showResource{Address: head.Address, Mode: head.Mode, Type: head.Type, Name: head.Name, Index: head.Index, DeposedKey: head.DeposedKey}
	if head.Type != ResourceType || head.Mode != "managed" {
		return nil
	}
	var body struct {
		Values attributes `json:"values"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		return &placeErr{place: head.Address, err: err}
	}
	r.Values = &body.Values
	return nil
}

// rawResource is one resource of a raw state. Only an access token's
// instances are decoded.
type rawResource struct {
	Module    string
	Mode      string
	Type      string
	Name      string
	Instances []rawInstance
}

type rawInstance struct {
	IndexKey   json.RawMessage `json:"index_key"`
	Deposed    string          `json:"deposed"`
	Attributes attributes      `json:"attributes"`
}

func (r *rawResource) UnmarshalJSON(b []byte) error {
	var head struct {
		Module string `json:"module"`
		Mode   string `json:"mode"`
		Type   string `json:"type"`
		Name   string `json:"name"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return err
	}
	*r = rawResource{Module: head.Module, Mode: head.Mode, Type: head.Type, Name: head.Name}
	if head.Type != ResourceType || head.Mode != "managed" {
		return nil
	}
	var body struct {
		Instances []rawInstance `json:"instances"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		return &placeErr{place: address{module: head.Module, name: head.Name}.String(), err: err}
	}
	r.Instances = body.Instances
	return nil
}

// decode reads a state document and returns its access token instances,
// in the order of the state, and the deposed objects it skipped.
func decode(r io.Reader) ([]instance, []string, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxStateBytes+1))
	// The bytes hold every secret of the state: clear them once decoded.
	defer clear(data)
	if err != nil {
		return nil, nil, fmt.Errorf("read state: %w", err)
	}
	if len(data) > maxStateBytes {
		return nil, nil, fmt.Errorf("read state: larger than %d MiB", maxStateBytes>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil, errors.New("the state is empty: give the output of `terraform show -json` or a state file")
	}
	var doc document
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, nil, decodeErr(err)
	}
	var found []instance
	var skipped []string
	switch {
	case doc.Version != nil:
		if *doc.Version != 4 {
			return nil, nil, fmt.Errorf("state version %d: only version 4 is read; give the output of `terraform show -json` instead", *doc.Version)
		}
		for _, res := range doc.Resources {
			for _, in := range res.Instances {
				key, err := parseKey(in.IndexKey)
				if err != nil {
					return nil, nil, fmt.Errorf("%s: index_key: %w", address{module: res.Module, name: res.Name}, err)
				}
				a := address{module: res.Module, name: res.Name, key: key}
				if in.Deposed != "" {
					skipped = append(skipped, a.String())
					continue
				}
				found = append(found, instance{addr: a, attrs: in.Attributes})
			}
		}
	case doc.FormatVersion != "":
		if doc.Values == nil {
			if doc.PlannedValues {
				return nil, nil, errors.New("this is a plan: give the output of `terraform show -json` without a plan file, which shows the state")
			}
			return found, nil, nil // an empty state
		}
		var walk func(m showModule) error
		walk = func(m showModule) error {
			for _, res := range m.Resources {
				if res.Values == nil {
					continue
				}
				key, err := parseKey(res.Index)
				if err != nil {
					return fmt.Errorf("%s: index: %w", res.Address, err)
				}
				a := address{module: m.Address, name: res.Name, key: key, given: res.Address}
				if res.DeposedKey != "" {
					skipped = append(skipped, a.String())
					continue
				}
				found = append(found, instance{addr: a, attrs: *res.Values})
			}
			for _, c := range m.ChildModules {
				if err := walk(c); err != nil {
					return err
				}
			}
			return nil
		}
		if err := walk(doc.Values.RootModule); err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, errors.New("not a Terraform state: give the output of `terraform show -json` or a state file of version 4")
	}
	return found, skipped, nil
}

// placeErr is a decoding error inside one resource.
type placeErr struct {
	place string
	err   error
}

func (e *placeErr) Error() string { return e.place + ": " + e.err.Error() }
func (e *placeErr) Unwrap() error { return e.err }

// decodeErr describes a decoding error by place, never by value: a value
// might be (part of) a secret.
func decodeErr(err error) error {
	prefix := "not a Terraform state: "
	var pe *placeErr
	if errors.As(err, &pe) {
		prefix += pe.place + ": "
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("not valid JSON (at byte %d): give the output of `terraform show -json` or a state file", syn.Offset)
	case errors.As(err, &typ):
		where := typ.Field
		if where == "" {
			where = "the document"
		}
		// Value is "string", "number 12", …: keep the kind, never the value.
		kind, _, _ := strings.Cut(typ.Value, " ")
		return fmt.Errorf("%s%s is a JSON %s, not %s", prefix, where, kind, typ.Type)
	}
	return errors.New("not a Terraform state: give the output of `terraform show -json` or a state file of version 4")
}

// parseKey reads an instance key: absent or null (no count or for_each), a
// whole number (count) or a string (for_each).
func parseKey(raw json.RawMessage) (instanceKey, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return instanceKey{}, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return instanceKey{}, errors.New("not a string")
		}
		return instanceKey{kind: stringKey, str: s}, nil
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil || n < 0 {
		return instanceKey{}, errors.New("neither a string nor a whole number")
	}
	return instanceKey{kind: intKey, num: n}, nil
}
