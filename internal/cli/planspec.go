package cli

import (
	"context"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/observe"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/policy"
	"github.com/ldtokens/ldtokens/secret"
	"github.com/ldtokens/ldtokens/spec"
)

// planning says how to plan a spec against LaunchDarkly.
type planning struct {
	spec SpecOptions
	conn ConnectOptions
	// showAll lists other members' personal tokens too.
	showAll bool
	// allowEmpty lets a spec that declares no token prune.
	allowEmpty bool
	// enforcePolicy refuses a spec whose declared tokens break an error
	// rule of its policy, before any call: plan and apply do.
	enforcePolicy bool
	// onSecret receives every secret the client is issued (to mask it).
	onSecret func(secret.Secret)
	// plan makes the plan; nil is planner.Make.
	plan func(planner.Input) (planner.Plan, error)
}

// planned is a spec planned against what LaunchDarkly holds.
type planned struct {
	spec   *spec.Spec
	policy *policy.Set
	client *ldapi.Client
	obs    observe.Observation
	plan   planner.Plan
}

// planSpec loads the spec (and compiles its policy), connects, observes
// LaunchDarkly and plans: the first steps of plan, apply -f, drift and
// rotate.
func (ios *IO) planSpec(ctx context.Context, r planning) (planned, error) {
	o, err := ios.observeSpec(ctx, r)
	if err != nil {
		return planned{}, err
	}
	plan := planner.Make
	if r.plan != nil {
		plan = r.plan
	}
	p, err := plan(o.input)
	if err != nil {
		return planned{}, err
	}
	return planned{spec: o.input.Spec, policy: o.policy, client: o.client, obs: o.obs, plan: p}, nil
}

// observed is a spec and what LaunchDarkly holds, ready to plan.
type observed struct {
	client *ldapi.Client
	obs    observe.Observation
	// policy is the spec's policy, compiled.
	policy *policy.Set
	// input is the planner's input: the spec, the remote tokens, the
	// caller, now.
	input planner.Input
}

// observeSpec loads the spec (and compiles its policy, checking the
// declared tokens against it when r says so), connects and observes
// LaunchDarkly: planSpec without the plan, for status.
func (ios *IO) observeSpec(ctx context.Context, r planning) (observed, error) {
	s, err := r.spec.load()
	if err != nil {
		return observed{}, err
	}
	set, err := policyOf(s)
	if err != nil {
		return observed{}, err
	}
	if r.enforcePolicy {
		if err := ios.checkDeclared(set, s); err != nil {
			return observed{}, err
		}
	}
	client, err := ios.connect(r.conn, r.onSecret)
	if err != nil {
		return observed{}, err
	}
	obs, err := observe.Observe(ctx, client, observe.ForSpec(s, r.showAll))
	if err != nil {
		return observed{}, err
	}
	in := planner.Input{Spec: s, Remote: obs.Tokens, RoleIDs: obs.RoleIDs, APIHost: client.Host(), Now: ios.Now(), AllowEmpty: r.allowEmpty, AllMembers: r.showAll}
	if obs.CallerKnown {
		in.CallerMemberID = obs.Caller.MemberID
		in.CallerAccountID = obs.Caller.AccountID
		in.CallerServiceToken = obs.Caller.ServiceToken
	}
	return observed{client: client, obs: obs, policy: set, input: in}, nil
}
