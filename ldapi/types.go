package ldapi

import (
	"encoding/json"
	"net/url"
)

// APIVersion is the LaunchDarkly API version every request asks for.
const APIVersion = "20240415"

// DefaultHost is LaunchDarkly's API host.
const DefaultHost = "https://app.launchdarkly.com"

// TokensPath is the collection path of access tokens.
const TokensPath = "/api/v2/tokens"

// Link is a hypermedia link in a representation.
type Link struct {
	Href string `json:"href"`
	Type string `json:"type,omitempty"`
}

// Statement is a policy statement of an inline role.
type Statement struct {
	Effect       string   `json:"effect"`
	Resources    []string `json:"resources,omitempty"`
	NotResources []string `json:"notResources,omitempty"`
	Actions      []string `json:"actions,omitempty"`
	NotActions   []string `json:"notActions,omitempty"`
}

// Token is the representation of an access token, less the hypermedia
// (_links) and the creator's summary (_member) that ldtokens never reads:
// skipping them when decoding makes listing a large account several times
// cheaper. Its Hint never holds a full secret: the client moves the secret
// of a create or reset response into a secret.Secret before returning the
// Token.
type Token struct {
	ID            string      `json:"_id"`
	OwnerID       string      `json:"ownerId"`
	MemberID      string      `json:"memberId"`
	Name          string      `json:"name,omitempty"`
	Description   string      `json:"description,omitempty"`
	CreationDate  int64       `json:"creationDate"`
	LastModified  int64       `json:"lastModified"`
	CustomRoleIDs []string    `json:"customRoleIds,omitempty"`
	InlineRole    []Statement `json:"inlineRole,omitempty"`
	Role          string      `json:"role,omitempty"`
	// Hint is the last four characters of the secret.
	Hint              string `json:"token,omitempty"`
	ServiceToken      bool   `json:"serviceToken"`
	DefaultAPIVersion int    `json:"defaultApiVersion,omitempty"`
	// LastUsed is when the token was last used, epoch ms; 0 for never.
	LastUsed int64 `json:"lastUsed,omitempty"`
}

// Page is one page of a paginated collection: the token list or the
// custom role list.
type Page[T any] struct {
	Items      []T             `json:"items"`
	Links      map[string]Link `json:"_links,omitempty"`
	TotalCount int             `json:"totalCount"`
}

// TokenPost is the body of a create request.
type TokenPost struct {
	Name              string      `json:"name,omitempty"`
	Description       string      `json:"description,omitempty"`
	Role              string      `json:"role,omitempty"`
	CustomRoleIDs     []string    `json:"customRoleIds,omitempty"`
	InlineRole        []Statement `json:"inlineRole,omitempty"`
	ServiceToken      bool        `json:"serviceToken"`
	DefaultAPIVersion int         `json:"defaultApiVersion,omitempty"`
}

// PatchOp is one RFC 6902 operation.
type PatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// MarshalJSON writes value for every op but remove, even when it is empty.
func (p PatchOp) MarshalJSON() ([]byte, error) {
	if p.Op == "remove" {
		return json.Marshal(struct {
			Op   string `json:"op"`
			Path string `json:"path"`
		}{p.Op, p.Path})
	}
	return json.Marshal(struct {
		Op    string `json:"op"`
		Path  string `json:"path"`
		Value any    `json:"value"`
	}{p.Op, p.Path, p.Value})
}

// Role is a custom role, as listed by GET /api/v2/roles.
type Role struct {
	ID   string `json:"_id"`
	Key  string `json:"key"`
	Name string `json:"name,omitempty"`
}

// CallerIdentity describes the access token making the requests.
type CallerIdentity struct {
	// AccountID is the LaunchDarkly account the token belongs to.
	AccountID    string `json:"accountId,omitempty"`
	TokenID      string `json:"tokenId,omitempty"`
	TokenName    string `json:"tokenName,omitempty"`
	MemberID     string `json:"memberId,omitempty"`
	ServiceToken bool   `json:"serviceToken,omitempty"`
}

// ErrorRep is LaunchDarkly's error body.
type ErrorRep struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	ID      string `json:"id,omitempty"`
}

// TokenPath returns the path of one token.
func TokenPath(id string) string { return TokensPath + "/" + url.PathEscape(id) }
