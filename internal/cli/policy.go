package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/ldtokens/ldtokens/audit"
	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/policy"
	"github.com/ldtokens/ldtokens/spec"
)

// policyOf compiles the spec's policy: every CEL expression, once. A rule
// that does not compile is a spec error at its position.
func policyOf(s *spec.Spec) (*policy.Set, error) { return policy.Compile(s.Policy.Rules) }

// checkPolicy compiles the spec's policy and checks the declared tokens
// against it, offline.
func (ios *IO) checkPolicy(s *spec.Spec) error {
	set, err := policyOf(s)
	if err != nil {
		return err
	}
	return ios.checkDeclared(set, s)
}

// checkDeclared checks the declared tokens against the policy: each
// warning is printed on stderr (and annotated under GitHub Actions), and
// the errors come back as spec errors at their tokens, so that they are
// reported, and refuse the command, like any other problem in the spec.
func (ios *IO) checkDeclared(set *policy.Set, s *spec.Spec) error {
	var errs spec.Errors
	for _, v := range set.CheckDeclared(s.Tokens, ios.Now()) {
		msg := fmt.Sprintf("token %q breaks policy rule %q: %s", v.Token, v.Rule, v.Message)
		if v.Severity == spec.SeverityError {
			errs = append(errs, &spec.Error{Pos: v.Pos, Msg: msg})
			continue
		}
		fmt.Fprintf(ios.Err, "warning: %s: %s\n", v.Pos, msg)
		ios.Actions.Warning(v.Pos.File, v.Pos.Line, v.Pos.Column, msg)
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// policyFindings checks the remote tokens, declared or not, against the
// policy, for drift: each violation is a finding. Ignored tokens and
// retiring ones (on their way out) are left out. Custom role IDs are
// resolved to keys only when a rule may read them and a token has one.
func policyFindings(ctx context.Context, client *ldapi.Client, set *policy.Set, s *spec.Spec, remote []ldapi.Token, now time.Time) ([]audit.Finding, error) {
	if set.Len() == 0 {
		return nil, nil
	}
	var check []ldapi.Token
	for _, t := range remote {
		if _, _, retiring := planner.ParseRetiring(t.Name); !retiring && !spec.MatchAny(s.Ignore, t.Name) {
			check = append(check, t)
		}
	}
	roleKeys, err := roleKeysOf(ctx, client, check)
	if err != nil {
		return nil, err
	}
	var out []audit.Finding
	for _, v := range set.CheckRemote(check, s.Tokens, roleKeys, now) {
		out = append(out, audit.Finding{
			Kind: audit.KindPolicy, Name: v.Token, ID: v.TokenID, Rule: v.Rule, Severity: v.Severity,
			Detail: fmt.Sprintf("breaks policy rule %q (%s): %s", v.Rule, v.Severity, v.Message),
			Advice: "bring the token in line with the rule (declare and fix it, or delete it), or change the rule",
		})
	}
	return out, nil
}
