package emulator

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/ldtokens/ldtokens/ldapi"
)

// pageParams reads limit and offset.
func pageParams(q url.Values, def, maxLimit int) (limit, offset int, err error) {
	limit, offset = def, 0
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 {
			return 0, 0, fmt.Errorf("limit must be a positive integer")
		}
	}
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return 0, 0, fmt.Errorf("offset must be a non-negative integer")
		}
	}
	return min(limit, maxLimit), offset, nil
}

// pageLinks builds first, last, next and prev links, LaunchDarkly style.
func pageLinks(path string, extra url.Values, limit, offset, total int) map[string]ldapi.Link {
	href := func(off int) ldapi.Link {
		q := url.Values{}
		for k, v := range extra {
			q[k] = v
		}
		q.Set("limit", strconv.Itoa(limit))
		q.Set("offset", strconv.Itoa(off))
		return ldapi.Link{Href: path + "?" + q.Encode(), Type: "application/json"}
	}
	lastOff := 0
	if total > 0 {
		lastOff = (total - 1) / limit * limit
	}
	links := map[string]ldapi.Link{"self": href(offset), "first": href(0), "last": href(lastOff)}
	if offset+limit < total {
		links["next"] = href(offset + limit)
	}
	if offset > 0 {
		links["prev"] = href(max(0, offset-limit))
	}
	return links
}
