package applier

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
)

// ErrStale prefixes every refusal of a saved plan whose world moved.
var ErrStale = errors.New("saved plan is stale")

// CheckStale refuses a saved plan, before any change, when the host or the
// account differs (account is the current one, from caller-identity or the
// tokens' common owner; a plan that records no account is not compared, and
// one that does is refused where the current account cannot be told)
// or any token it touches changed, vanished or appeared since it was made.
// A plan applied once is stale from then on: what it did changed the
// tokens it touched.
func CheckStale(p planner.Plan, host, account string, remote []ldapi.Token) error {
	if err := CheckHost(p, host); err != nil {
		return err
	}
	switch {
	case p.AccountID != "" && account == "":
		return fmt.Errorf("%w: it was made for account %s, and this account cannot be told (caller-identity did not say, and the tokens share no owner); make a new plan", ErrStale, p.AccountID)
	case p.AccountID != "" && p.AccountID != account:
		return fmt.Errorf("%w: it was made for account %s, this is account %s", ErrStale, p.AccountID, account)
	}
	byID := make(map[string]ldapi.Token, len(remote))
	for _, t := range remote {
		byID[t.ID] = t
	}
	observed := make(map[string]bool, len(p.Observed))
	for _, o := range p.Observed {
		observed[o.ID] = true
	}
	var problems []string
	for _, c := range p.Changes {
		if c.Action == planner.Create {
			for _, t := range remote {
				if t.Name == c.Name && !observed[t.ID] {
					problems = append(problems, fmt.Sprintf("token %q (%s) appeared since the plan was made", c.Name, t.ID))
				}
			}
			continue
		}
		t, ok := byID[c.ID]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("token %q (%s) was deleted since the plan was made", c.Name, c.ID))
		case planner.Fingerprint(t) != c.Fingerprint:
			problems = append(problems, fmt.Sprintf("token %q (%s) changed since the plan was made", c.Name, c.ID))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s; make a new plan", ErrStale, strings.Join(dedupe(problems), "; "))
	}
	return nil
}

// CheckHost refuses a saved plan made against another API host.
func CheckHost(p planner.Plan, host string) error {
	if strings.TrimRight(p.APIHost, "/") != strings.TrimRight(host, "/") {
		return fmt.Errorf("%w: it was made against %s, not %s", ErrStale, p.APIHost, host)
	}
	return nil
}

func dedupe(l []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range l {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
