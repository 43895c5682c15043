package ldapi

import (
	"context"
	"net/url"
	"strconv"

	"golang.org/x/sync/errgroup"
)

// ListOptions filters the token list.
type ListOptions struct {
	// ShowAll lists other members' personal tokens too (admin only).
	ShowAll bool
}

// ListTokens lists every token, page by page.
func (c *Client) ListTokens(ctx context.Context, opts ListOptions) ([]Token, error) {
	q := url.Values{}
	if opts.ShowAll {
		q.Set("showAll", "true")
	}
	items, err := listAll[Token](ctx, c, TokensPath, q, c.cfg.PageSize)
	if err != nil {
		return nil, err
	}
	return dedupe(items, func(t Token) string { return t.ID }), nil
}

// ListRoles lists every custom role, page by page.
func (c *Client) ListRoles(ctx context.Context) ([]Role, error) {
	items, err := listAll[Role](ctx, c, "/api/v2/roles", url.Values{}, min(c.cfg.PageSize, 50))
	if err != nil {
		return nil, err
	}
	return dedupe(items, func(r Role) string { return r.ID }), nil
}

// listAll reads a paginated collection. It asks for limit items a page but
// never assumes the server honoured it: it advances by the items received,
// follows _links.next when the server gives links, and when the first page
// shows a total larger than itself, fetches the other pages concurrently.
func listAll[T any](ctx context.Context, c *Client, path string, q url.Values, limit int) ([]T, error) {
	get := func(ctx context.Context, offset int) (Page[T], error) {
		pq := url.Values{}
		for k, v := range q {
			pq[k] = v
		}
		pq.Set("limit", strconv.Itoa(limit))
		pq.Set("offset", strconv.Itoa(offset))
		var p Page[T]
		err := c.send(ctx, request{call: Call{Method: "GET", Path: path, Query: pq}, out: &p})
		return p, err
	}
	first, err := get(ctx, 0)
	if err != nil {
		return nil, err
	}
	all := make([]T, 0, max(first.TotalCount, len(first.Items)))
	all = append(all, first.Items...)
	step := len(first.Items)
	if step == 0 || isLast(first, 0) {
		return all, nil
	}
	offset := step
	if first.TotalCount > step && c.cfg.Concurrency > 1 {
		pages, err := fetchConcurrently(ctx, c.cfg.Concurrency, first.TotalCount, step, get)
		if err != nil {
			return nil, err
		}
		last := first
		for _, p := range pages {
			all = append(all, p.Items...)
			last = p
			if len(p.Items) < step {
				break
			}
		}
		offset = len(all)
		// The pages may have shifted under us; finish sequentially if the
		// last one says there is more.
		if len(last.Items) == 0 || isLast(last, offset-len(last.Items)) {
			return all, nil
		}
	}
	for {
		p, err := get(ctx, offset)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Items...)
		if len(p.Items) == 0 || isLast(p, offset) {
			return all, nil
		}
		offset += len(p.Items)
	}
}

// isLast reports whether p, read at offset, ends the collection.
func isLast[T any](p Page[T], offset int) bool {
	if len(p.Links) > 0 {
		_, more := p.Links["next"]
		return !more
	}
	if p.TotalCount > 0 {
		return offset+len(p.Items) >= p.TotalCount
	}
	return false // neither links nor a total: read until an empty page
}

// fetchConcurrently reads the pages at step, 2*step, … below total with at
// most concurrency requests in flight, and returns them in offset order.
// The first failure cancels the rest and is the one error returned.
func fetchConcurrently[T any](ctx context.Context, concurrency, total, step int, get func(context.Context, int) (Page[T], error)) ([]Page[T], error) {
	n := (total - 1) / step // pages after the first
	pages := make([]Page[T], n)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(concurrency)
	for i := range n {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			var err error
			pages[i], err = get(gctx, (i+1)*step)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return pages, nil
}

func dedupe[T any](items []T, key func(T) string) []T {
	seen := make(map[string]bool, len(items))
	out := items[:0]
	for _, it := range items {
		if k := key(it); !seen[k] {
			seen[k] = true
			out = append(out, it)
		}
	}
	return out
}
