package ldapi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/ldtokens/ldtokens/internal/crash"
	"golang.org/x/sync/errgroup"
)

// ListOptions filters the token list.
type ListOptions struct {
	// ShowAll lists other members' personal tokens too (admin only).
	ShowAll bool
}

// ListTokens lists every token, page by page. Every page must be a valid
// page of tokens (an items array; every item an _id and a name), and the
// pages together must agree with their totalCount and _links; anything
// else is an error naming the request, never a shorter list.
func (c *Client) ListTokens(ctx context.Context, opts ListOptions) ([]Token, error) {
	q := url.Values{}
	if opts.ShowAll {
		q.Set("showAll", "true")
	}
	l := lister[Token]{c: c, path: TokensPath, query: q, limit: c.cfg.PageSize, kind: "token",
		id: func(t Token) string { return t.ID },
		check: func(t Token) string {
			switch {
			case t.ID == "":
				return "has no _id"
			case t.Name == "":
				return fmt.Sprintf("(_id %s) has no name", t.ID)
			}
			return ""
		}}
	return l.list(ctx)
}

// RolesPath is the collection path of custom roles.
const RolesPath = "/api/v2/roles"

// ListRoles lists every custom role, page by page, under the rules of
// ListTokens; every role must have an _id and a key.
func (c *Client) ListRoles(ctx context.Context) ([]Role, error) {
	l := lister[Role]{c: c, path: RolesPath, query: url.Values{}, limit: min(c.cfg.PageSize, 50), kind: "role",
		id: func(r Role) string { return r.ID },
		check: func(r Role) string {
			switch {
			case r.ID == "":
				return "has no _id"
			case r.Key == "":
				return fmt.Sprintf("(_id %s) has no key", r.ID)
			}
			return ""
		}}
	return l.list(ctx)
}

// maxPages bounds the pages of one listing: a server whose numbers or
// links would have the client read more is wrong, not large.
const maxPages = 10_000

// maxSized bounds the items a listing makes room for before they arrive.
const maxSized = 1 << 16

// listReads is how many times in a row a listing whose pages disagree is
// read: the list may have changed while it was read.
const listReads = 3

// page is one page of a collection as read: TotalCount is nil when the
// server did not send one.
type page[T any] struct {
	Items      []T             `json:"items"`
	Links      map[string]Link `json:"_links"`
	TotalCount *int            `json:"totalCount"`
}

// lister reads one paginated collection.
type lister[T any] struct {
	c     *Client
	path  string
	query url.Values
	limit int
	// kind names an item in errors.
	kind string
	id   func(T) string
	// check says what is wrong with an item, or "".
	check func(T) string
}

// disagreement is pages that do not add up: the list changed while it was
// read, or the server is wrong.
type disagreement struct{ what string }

func (d *disagreement) Error() string { return d.what }

func disagree(format string, args ...any) error {
	return &disagreement{fmt.Sprintf(format, args...)}
}

// list reads the collection, again from the start when its pages
// disagree, up to listReads times.
func (l *lister[T]) list(ctx context.Context) ([]T, error) {
	for read := 1; ; read++ {
		items, err := l.read(ctx)
		var d *disagreement
		if !errors.As(err, &d) {
			return items, err
		}
		if read == listReads {
			return nil, fmt.Errorf("GET %s: the pages do not add up (%w), in %d reads in a row: the list is changing, or the server is wrong; nothing was acted on: try again", l.path, err, listReads)
		}
	}
}

// read reads every page once. It asks for limit items a page but never
// assumes the server honoured it: it advances by the items received. When
// the first page shows a total larger than itself, it fetches the other
// pages concurrently; otherwise, or when the pages have shifted, one after
// another until _links or totalCount say the end is reached (or, with
// neither, until an empty page).
func (l *lister[T]) read(ctx context.Context) ([]T, error) {
	first, err := l.page(ctx, 0)
	if err != nil {
		return nil, err
	}
	step, total := len(first.Items), -1
	if first.TotalCount != nil {
		total = *first.TotalCount
		switch {
		case total < step:
			return nil, disagree("the first page holds %d items, more than its totalCount %d", step, total)
		case step == 0 && total > 0:
			return nil, disagree("the first page is empty, but its totalCount is %d", total)
		case step > 0 && (total-1)/step >= maxPages:
			return nil, fmt.Errorf("GET %s: the totalCount %d, in pages of %d, would take more than %d pages; ldtokens does not believe it", l.path, total, step, maxPages)
		}
	}
	// Items are collected as pages arrive; an item listed twice means the
	// pages shifted, so one may have been missed. The set is sized by what
	// arrived, or by totalCount bounded (maxSized): never by a server number
	// unchecked.
	seen := make(map[string]struct{}, min(max(total, step), maxSized))
	all := make([]T, 0, min(max(total, step), maxSized))
	add := func(items []T) error {
		for _, it := range items {
			id := l.id(it)
			if _, dup := seen[id]; dup {
				return disagree("%s %s was listed twice", l.kind, id)
			}
			seen[id] = struct{}{}
		}
		all = append(all, items...)
		return nil
	}
	if err := add(first.Items); err != nil {
		return nil, err
	}
	last, lastOffset, offset := first, 0, step
	done, err := l.isLast(first, 0, total)
	if err != nil {
		return nil, err
	}
	pages := 1
	if !done && total > step && l.c.cfg.Concurrency > 1 {
		rest, err := fetchConcurrently(ctx, l.c.cfg.Concurrency, (total-1)/step, func(ctx context.Context, i int) (page[T], error) {
			return l.page(ctx, (i+1)*step)
		})
		if err != nil {
			return nil, err
		}
		for _, p := range rest {
			if err := sameTotal(p, offset, total); err != nil {
				return nil, err
			}
			if err := add(p.Items); err != nil {
				return nil, err
			}
			pages++
			last, lastOffset = p, offset
			offset += len(p.Items)
			if len(p.Items) < step {
				break // the pages shifted: go on one after another from here
			}
		}
		if done, err = l.isLast(last, lastOffset, total); err != nil {
			return nil, err
		}
	}
	for ; !done; pages++ {
		if pages >= maxPages {
			return nil, fmt.Errorf("GET %s: more than %d pages; ldtokens does not believe it", l.path, maxPages)
		}
		p, err := l.page(ctx, offset)
		if err != nil {
			return nil, err
		}
		if err := sameTotal(p, offset, total); err != nil {
			return nil, err
		}
		if err := add(p.Items); err != nil {
			return nil, err
		}
		if done, err = l.isLast(p, offset, total); err != nil {
			return nil, err
		}
		offset += len(p.Items)
	}
	if total >= 0 && len(all) != total {
		return nil, disagree("%d %ss were listed, but totalCount is %d", len(all), l.kind, total)
	}
	return all, nil
}

// sameTotal checks that a later page, read at offset, has the first page's
// totalCount (total, or -1 for none).
func sameTotal[T any](p page[T], offset, total int) error {
	switch {
	case p.TotalCount == nil && total < 0:
		return nil
	case p.TotalCount == nil:
		return disagree("the page at offset %d has no totalCount, the first had %d", offset, total)
	case *p.TotalCount != total:
		return disagree("the page at offset %d has totalCount %d, the first had %d", offset, *p.TotalCount, total)
	}
	return nil
}

// isLast reports whether p, read at offset, ends the collection. When the
// page has both _links and the list a totalCount, they must agree.
func (l *lister[T]) isLast(p page[T], offset, total int) (bool, error) {
	_, next := p.Links["next"]
	end := offset + len(p.Items)
	switch {
	case len(p.Items) == 0:
		return true, nil // (a next link on an empty page is refused by checkPage)
	case len(p.Links) > 0 && total >= 0 && next == (end >= total):
		if next {
			return false, disagree("the page at offset %d has a next link, but its totalCount %d says it is the last", offset, total)
		}
		return false, disagree("the page at offset %d has _links without next, but its totalCount %d says there is more", offset, total)
	case len(p.Links) > 0:
		return !next, nil
	case total >= 0:
		return end >= total, nil
	}
	return false, nil // neither links nor a total: read until an empty page
}

// page reads and checks the page at offset.
func (l *lister[T]) page(ctx context.Context, offset int) (page[T], error) {
	q := url.Values{}
	for k, v := range l.query {
		q[k] = v
	}
	q.Set("limit", strconv.Itoa(l.limit))
	q.Set("offset", strconv.Itoa(offset))
	call := Call{Method: "GET", Path: l.path, Query: q}
	var p page[T]
	err := l.c.send(ctx, request{call: call, out: &p, check: func() error { return l.checkPage(&p, call, offset) }})
	return p, err
}

// checkPage checks one page on its own: an items array of valid items, a
// totalCount not negative, and a next link, if any, to a later page of the
// same collection on the same host.
func (l *lister[T]) checkPage(p *page[T], call Call, offset int) error {
	if p.Items == nil {
		return fmt.Errorf("not a page of %ss: it has no items array", l.kind)
	}
	for i, it := range p.Items {
		if what := l.check(it); what != "" {
			return fmt.Errorf("%s %d of the list %s", l.kind, offset+i, what)
		}
	}
	if p.TotalCount != nil && *p.TotalCount < 0 {
		return fmt.Errorf("its totalCount is negative")
	}
	next, ok := p.Links["next"]
	if !ok {
		return nil
	}
	if len(p.Items) == 0 {
		return errors.New("an empty page with a next link")
	}
	u, err := l.c.link(call, next.Href)
	if err != nil {
		return err
	}
	if v := u.Query().Get("offset"); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n <= offset {
			return fmt.Errorf("the next link goes back to this page or an earlier one, a loop")
		}
	}
	return nil
}

// link resolves href, a link in the response to call, and checks that it
// stays on the client's scheme, host and port and at call's path.
func (c *Client) link(call Call, href string) (*url.URL, error) {
	ref, err := url.Parse(href)
	if err != nil {
		return nil, errors.New("its next link is not a URL")
	}
	from := *c.base
	from.Path = call.Path
	u := from.ResolveReference(ref)
	switch {
	case origin(u) != origin(c.base):
		return nil, errors.New("its next link goes to another host")
	case u.EscapedPath() != call.Path:
		return nil, errors.New("its next link goes to another path")
	}
	return u, nil
}

// fetchConcurrently gets pages 0 to n-1 with at most concurrency requests
// in flight and returns them in order. The first failure cancels the rest
// and is the one error returned. n is bounded by the caller.
func fetchConcurrently[T any](ctx context.Context, concurrency, n int, get func(context.Context, int) (page[T], error)) ([]page[T], error) {
	pages := make([]page[T], n)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(concurrency)
	// errgroup leaves a panic on its goroutine, where nothing can recover
	// it: it is raised again here, once the other pages are done.
	var panicked crash.Slot
	defer panicked.Raise()
	for i := range n {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			defer panicked.Catch()
			var err error
			pages[i], err = get(gctx, i)
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
