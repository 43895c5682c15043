package spec_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/spec"
)

func TestError(t *testing.T) {
	pos := spec.Position{File: "tokens.yaml", Line: 2, Column: 11}
	e := spec.Errorf(pos, "token %q: %d remote tokens have this name", "ci", 2)
	assert.Equal(t, pos, e.Pos)
	assert.Equal(t, `token "ci": 2 remote tokens have this name`, e.Msg)
	assert.EqualError(t, e, `tokens.yaml:2:11: token "ci": 2 remote tokens have this name`)
	assert.EqualError(t, spec.Errorf(spec.Position{}, "no spec"), "no spec", "without a position, the message alone")

	var list error = spec.Errors{e, spec.Errorf(pos, "second")}
	assert.EqualError(t, list, "tokens.yaml:2:11: token \"ci\": 2 remote tokens have this name\ntokens.yaml:2:11: second")
	var one *spec.Error
	require.ErrorAs(t, fmt.Errorf("plan: %w", list), &one, "errors.As finds an Error in Errors")
	assert.Same(t, e, one)
	assert.True(t, errors.Is(list, e))
}
