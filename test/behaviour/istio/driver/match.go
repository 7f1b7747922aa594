package driver

// Envoy's route and header matching, for the fields istiod generates from a VirtualService. The
// simulation of pilot/pkg/simulation matches routes by path only (its matchRoute says so in a TODO),
// so a request's route is chosen here, following Envoy's documented semantics
// (config.route.v3.RouteMatch, HeaderMatcher, QueryParameterMatcher; type.matcher.v3.StringMatcher):
// routes are tried in order, the first whose every condition holds wins; regexes are RE2 and must
// match the whole value; a header matcher on a missing header fails unless it is inverted.

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	matcher "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
)

// request is a call as Envoy's router sees it.
type request struct {
	path    string // without the query string
	query   url.Values
	headers map[string][]string // lower-case names, with :method, :path and :authority
}

func newRequest(c Call) request {
	raw := c.Path
	if raw == "" {
		raw = "/"
	}
	path, rawQuery, _ := strings.Cut(raw, "?")
	q, _ := url.ParseQuery(rawQuery)
	h := map[string][]string{}
	for k, v := range c.Headers {
		h[strings.ToLower(k)] = v
	}
	method := c.Method
	if method == "" {
		method = "GET"
		if c.Protocol == "grpc" {
			method = "POST" // every gRPC call is a POST (gRPC over HTTP/2 spec)
		}
	}
	if _, set := h["content-type"]; !set && c.Protocol == "grpc" {
		h["content-type"] = []string{"application/grpc"}
	}
	h[":method"] = []string{method}
	h[":path"] = []string{raw}
	if c.Host != "" {
		h[":authority"] = []string{c.Host}
	}
	return request{path: path, query: q, headers: h}
}

func fullMatch(re, s string) (bool, error) {
	r, err := regexp.Compile("^(?:" + re + ")$")
	if err != nil {
		return false, fmt.Errorf("regex %q: %w", re, err)
	}
	return r.MatchString(s), nil
}

// stringMatch applies a StringMatcher to a value.
func stringMatch(m *matcher.StringMatcher, v string) (bool, error) {
	if m.GetIgnoreCase() {
		v = strings.ToLower(v)
	}
	lc := func(s string) string {
		if m.GetIgnoreCase() {
			return strings.ToLower(s)
		}
		return s
	}
	switch p := m.GetMatchPattern().(type) {
	case *matcher.StringMatcher_Exact:
		return v == lc(p.Exact), nil
	case *matcher.StringMatcher_Prefix:
		return strings.HasPrefix(v, lc(p.Prefix)), nil
	case *matcher.StringMatcher_Suffix:
		return strings.HasSuffix(v, lc(p.Suffix)), nil
	case *matcher.StringMatcher_Contains:
		return strings.Contains(v, lc(p.Contains)), nil
	case *matcher.StringMatcher_SafeRegex:
		return fullMatch(p.SafeRegex.GetRegex(), v)
	}
	return false, fmt.Errorf("unsupported string matcher %T", m.GetMatchPattern())
}

// headerMatch applies a route HeaderMatcher (several values of one header are joined by commas,
// as Envoy does before matching).
func headerMatch(hm *route.HeaderMatcher, headers map[string][]string) (bool, error) {
	values, present := headers[strings.ToLower(hm.GetName())]
	value := strings.Join(values, ",")
	if !present && hm.GetTreatMissingHeaderAsEmpty() {
		present = true
	}
	var ok bool
	var err error
	switch s := hm.GetHeaderMatchSpecifier().(type) {
	case nil:
		ok = present
	case *route.HeaderMatcher_PresentMatch:
		ok = present == s.PresentMatch
	case *route.HeaderMatcher_StringMatch:
		if present {
			ok, err = stringMatch(s.StringMatch, value)
		}
	case *route.HeaderMatcher_ExactMatch:
		ok = present && value == s.ExactMatch
	case *route.HeaderMatcher_PrefixMatch:
		ok = present && strings.HasPrefix(value, s.PrefixMatch)
	case *route.HeaderMatcher_SuffixMatch:
		ok = present && strings.HasSuffix(value, s.SuffixMatch)
	case *route.HeaderMatcher_SafeRegexMatch:
		if present {
			ok, err = fullMatch(s.SafeRegexMatch.GetRegex(), value)
		}
	default:
		return false, fmt.Errorf("unsupported header matcher %T on %s", s, hm.GetName())
	}
	if err != nil {
		return false, err
	}
	if hm.GetInvertMatch() {
		// Envoy: an inverted matcher on a missing header does not match unless
		// treat_missing_header_as_empty is set; present_match inverts plainly.
		if _, isPresent := hm.GetHeaderMatchSpecifier().(*route.HeaderMatcher_PresentMatch); !isPresent && !present {
			return false, nil
		}
		return !ok, nil
	}
	return ok, nil
}

func queryMatch(qm *route.QueryParameterMatcher, q url.Values) (bool, error) {
	values, present := q[qm.GetName()]
	switch s := qm.GetQueryParameterMatchSpecifier().(type) {
	case *route.QueryParameterMatcher_PresentMatch:
		return present == s.PresentMatch, nil
	case *route.QueryParameterMatcher_StringMatch:
		if !present {
			return false, nil
		}
		// Envoy matches the first value of a repeated parameter.
		return stringMatch(s.StringMatch, values[0])
	case nil:
		return present, nil
	}
	return false, fmt.Errorf("unsupported query matcher %T", qm.GetQueryParameterMatchSpecifier())
}

func routeMatches(m *route.RouteMatch, r request) (bool, error) {
	path := r.path
	cs := m.GetCaseSensitive() == nil || m.GetCaseSensitive().GetValue()
	norm := func(s string) string {
		if cs {
			return s
		}
		return strings.ToLower(s)
	}
	switch p := m.GetPathSpecifier().(type) {
	case *route.RouteMatch_Prefix:
		if !strings.HasPrefix(norm(path), norm(p.Prefix)) {
			return false, nil
		}
	case *route.RouteMatch_Path:
		if norm(path) != norm(p.Path) {
			return false, nil
		}
	case *route.RouteMatch_PathSeparatedPrefix:
		pre := norm(p.PathSeparatedPrefix)
		np := norm(path)
		if np != pre && !strings.HasPrefix(np, pre+"/") {
			return false, nil
		}
	case *route.RouteMatch_SafeRegex:
		ok, err := fullMatch(p.SafeRegex.GetRegex(), path)
		if err != nil || !ok {
			return false, err
		}
	default:
		return false, fmt.Errorf("unsupported path specifier %T", p)
	}
	for _, hm := range m.GetHeaders() {
		ok, err := headerMatch(hm, r.headers)
		if err != nil || !ok {
			return false, err
		}
	}
	for _, qm := range m.GetQueryParameters() {
		ok, err := queryMatch(qm, r.query)
		if err != nil || !ok {
			return false, err
		}
	}
	// RouteMatch.grpc: only requests whose content-type is application/grpc or application/grpc+*.
	if m.GetGrpc() != nil {
		ct := strings.Join(r.headers["content-type"], ",")
		if ct != "application/grpc" && !strings.HasPrefix(ct, "application/grpc+") {
			return false, nil
		}
	}
	if m.GetRuntimeFraction() != nil || m.GetTlsContext() != nil ||
		len(m.GetDynamicMetadata()) > 0 || m.GetFilterState() != nil {
		return false, fmt.Errorf("route match uses a condition the driver does not evaluate: %v", m)
	}
	return true, nil
}

// firstRoute is Envoy's choice: the first route of the virtual host whose match holds.
func firstRoute(vh *route.VirtualHost, r request) (*route.Route, error) {
	for _, rt := range vh.GetRoutes() {
		ok, err := routeMatches(rt.GetMatch(), r)
		if err != nil {
			return nil, fmt.Errorf("route %q: %w", rt.GetName(), err)
		}
		if ok {
			return rt, nil
		}
	}
	return nil, nil
}
