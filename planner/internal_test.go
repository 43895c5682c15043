package planner

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ldtokens/ldtokens/ldapi"
)

// TestEveryFieldHasASpecSide fails when a row is added to
// ldapi.TokenFields without saying how the spec declares it.
func TestEveryFieldHasASpecSide(t *testing.T) {
	for i, f := range ldapi.TokenFields {
		assert.NotNil(t, specSides[i].desire, "field %s: no desire in specFields", f.JSON)
		assert.NotNil(t, specSides[i].declare, "field %s: no declare in specFields", f.JSON)
		if f.Mutability == ldapi.Fixed {
			assert.NotEmpty(t, fixedReasons[f.JSON], "field %s is fixed at creation: its replace needs a reason code", f.JSON)
		}
	}
	assert.Len(t, specFields, len(ldapi.TokenFields), "a spec side for a field the table does not have")
}
