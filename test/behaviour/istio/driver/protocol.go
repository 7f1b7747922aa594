package driver

// What Envoy, configured by istiod, does with the parts of a request that are not a forwarding
// decision: a redirect (the Location it answers with), a URL rewrite (the path and host the
// upstream sees), a TCP connection (tcp_proxy's weighted clusters and idle timeout), and the
// upstream protocol of a cluster (HTTP/2 for gRPC). The raw Envoy fields are reported next to their
// effect on the call, computed with Envoy's documented rules:
//   - Location: envoy source/common/http/utility.cc Utility::newUri and processRequestHost (scheme
//     from scheme_redirect or the request's; host from host_redirect, else the Host header with its
//     port dropped when port_redirect is set, or when the scheme changes and the port is the old
//     scheme's default; ":port" from port_redirect; the path from path_redirect (keeping the
//     request's query unless path_redirect has one), prefix_rewrite or regex_rewrite, else the
//     request's; strip_query);
//   - rewrites: config.route.v3.RouteAction prefix_rewrite (the matched prefix, or the whole path
//     of a path match, is replaced; the query is kept) and regex_rewrite (every match in the path
//     without the query is substituted, RE2 \N references).

import (
	"fmt"
	"regexp"
	"strings"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	tcp "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	upstream "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	matcher "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
)

// Redirect is a route's redirect action and the Location it gives this call.
type Redirect struct {
	Scheme        string `json:"scheme,omitempty"`
	Host          string `json:"host,omitempty"`
	Port          uint32 `json:"port,omitempty"`
	Path          string `json:"path,omitempty"`
	PrefixRewrite string `json:"prefixRewrite,omitempty"`
	StripQuery    bool   `json:"stripQuery,omitempty"`
	ResponseCode  int    `json:"responseCode"`
	Location      string `json:"location"`
}

// Rewrite is what a forwarding route changes in the request before it goes upstream.
type Rewrite struct {
	PrefixRewrite string `json:"prefixRewrite,omitempty"`
	RegexPattern  string `json:"regexPattern,omitempty"`
	RegexSubst    string `json:"regexSubstitution,omitempty"`
	Host          string `json:"host,omitempty"`
	// Path is the :path the upstream receives for this call (query included).
	Path string `json:"path"`
}

// TCPProxy is the tcp_proxy filter a TCP connection meets.
type TCPProxy struct {
	Clusters []WeightedTo `json:"clusters"`
	// IdleTimeoutMs is tcp_proxy's idle_timeout; nil when unset (Envoy's default is 1 hour).
	IdleTimeoutMs   *int64                      `json:"idleTimeoutMs,omitempty"`
	ClusterSettings map[string]*ClusterSettings `json:"clusterSettings,omitempty"`
}

var redirectCodes = map[route.RedirectAction_RedirectResponseCode]int{
	route.RedirectAction_MOVED_PERMANENTLY:  301,
	route.RedirectAction_FOUND:              302,
	route.RedirectAction_SEE_OTHER:          303,
	route.RedirectAction_TEMPORARY_REDIRECT: 307,
	route.RedirectAction_PERMANENT_REDIRECT: 308,
}

// matchedPrefix is the part of the path a prefix_rewrite replaces.
func matchedPrefix(m *route.RouteMatch, path string) (string, error) {
	switch p := m.GetPathSpecifier().(type) {
	case *route.RouteMatch_Prefix:
		return p.Prefix, nil
	case *route.RouteMatch_PathSeparatedPrefix:
		return p.PathSeparatedPrefix, nil
	case *route.RouteMatch_Path:
		return path, nil
	}
	return "", fmt.Errorf("prefix_rewrite on a %T match (Envoy rejects it)", m.GetPathSpecifier())
}

// rewritePath applies a prefix or regex rewrite to the request's :path (query kept).
func rewritePath(m *route.RouteMatch, r request, prefix string, regex *matcher.RegexMatchAndSubstitute) (string, error) {
	raw := r.headers[":path"][0]
	path, query, hasQuery := strings.Cut(raw, "?")
	switch {
	case prefix != "":
		pre, err := matchedPrefix(m, path)
		if err != nil {
			return "", err
		}
		path = prefix + strings.TrimPrefix(path, pre)
	case regex != nil:
		re, err := regexp.Compile(regex.GetPattern().GetRegex())
		if err != nil {
			return "", err
		}
		// RE2 substitutions write \1; Go's Expand writes ${1}.
		subst := regexp.MustCompile(`\\(\d)`).ReplaceAllString(regex.GetSubstitution(), `$${$1}`)
		path = re.ReplaceAllString(path, subst)
	}
	if hasQuery {
		return path + "?" + query, nil
	}
	return path, nil
}

func redirectOf(rt *route.Route, r request) (*Redirect, error) {
	a := rt.GetRedirect()
	out := &Redirect{
		Scheme: a.GetSchemeRedirect(), Host: a.GetHostRedirect(), Port: a.GetPortRedirect(),
		Path: a.GetPathRedirect(), PrefixRewrite: a.GetPrefixRewrite(), StripQuery: a.GetStripQuery(),
		ResponseCode: redirectCodes[a.GetResponseCode()],
	}
	if a.GetHttpsRedirect() {
		out.Scheme = "https"
	}
	// Plaintext calls: the request's scheme and x-forwarded-proto are http.
	const requestScheme = "http"
	scheme := requestScheme
	if out.Scheme != "" {
		scheme = out.Scheme
	}
	port := ""
	if out.Port != 0 {
		port = fmt.Sprintf(":%d", out.Port)
	}
	host := out.Host
	if host == "" {
		host = strings.Join(r.headers[":authority"], "")
		if i := strings.LastIndex(host, ":"); i >= 0 {
			reqPort := host[i:]
			remove := port != "" || (scheme != requestScheme && reqPort == ":80")
			if remove {
				host = host[:i]
			}
		}
	}
	raw := r.headers[":path"][0]
	var path string
	switch {
	case out.Path != "":
		path = out.Path
		if _, q, has := strings.Cut(raw, "?"); has && !strings.Contains(out.Path, "?") {
			path += "?" + q
		}
	case out.PrefixRewrite != "" || a.GetRegexRewrite() != nil:
		p, err := rewritePath(rt.GetMatch(), r, out.PrefixRewrite, a.GetRegexRewrite())
		if err != nil {
			return nil, fmt.Errorf("route %q redirect: %w", rt.GetName(), err)
		}
		path = p
	default:
		path = raw
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if out.StripQuery && !strings.Contains(out.Path, "?") {
		path, _, _ = strings.Cut(path, "?")
	}
	out.Location = scheme + "://" + host + port + path
	return out, nil
}

// rewriteOf is the forwarding route's URL rewrite for this call; nil when it rewrites nothing.
func rewriteOf(rt *route.Route, r request) (*Rewrite, error) {
	a := rt.GetRoute()
	out := &Rewrite{PrefixRewrite: a.GetPrefixRewrite(), Host: a.GetHostRewriteLiteral()}
	if rr := a.GetRegexRewrite(); rr != nil {
		out.RegexPattern, out.RegexSubst = rr.GetPattern().GetRegex(), rr.GetSubstitution()
	}
	if out.PrefixRewrite == "" && out.RegexPattern == "" && out.Host == "" {
		return nil, nil
	}
	p, err := rewritePath(rt.GetMatch(), r, out.PrefixRewrite, a.GetRegexRewrite())
	if err != nil {
		return nil, fmt.Errorf("route %q rewrite: %w", rt.GetName(), err)
	}
	out.Path = p
	return out, nil
}

func summariseTCP(p *tcp.TcpProxy) (*TCPProxy, error) {
	out := &TCPProxy{IdleTimeoutMs: ms(p.GetIdleTimeout())}
	switch c := p.GetClusterSpecifier().(type) {
	case *tcp.TcpProxy_Cluster:
		out.Clusters = []WeightedTo{{Cluster: c.Cluster, Weight: 100}}
	case *tcp.TcpProxy_WeightedClusters:
		for _, wc := range c.WeightedClusters.GetClusters() {
			out.Clusters = append(out.Clusters, WeightedTo{Cluster: wc.GetName(), Weight: wc.GetWeight()})
		}
	default:
		return nil, fmt.Errorf("tcp_proxy %s: unsupported cluster specifier %T", p.GetStatPrefix(), c)
	}
	return out, nil
}

// upstreamProtocol names the protocol a cluster speaks to its endpoints, from its
// HttpProtocolOptions: "http2" (explicit HTTP/2, what istiod sets for gRPC and HTTP/2 ports),
// "http1", "downstream" (the caller's protocol) or "auto" (ALPN); "" when the cluster has none.
func upstreamProtocol(po *upstream.HttpProtocolOptions) string {
	switch t := po.GetUpstreamProtocolOptions().(type) {
	case *upstream.HttpProtocolOptions_ExplicitHttpConfig_:
		if t.ExplicitHttpConfig.GetHttp2ProtocolOptions() != nil {
			return "http2"
		}
		return "http1"
	case *upstream.HttpProtocolOptions_UseDownstreamProtocolConfig:
		return "downstream"
	case *upstream.HttpProtocolOptions_AutoConfig:
		return "auto"
	}
	return ""
}

// idleTimeout is the cluster's common HTTP idle timeout (connections to its endpoints).
func idleTimeout(po *upstream.HttpProtocolOptions) *int64 {
	var common *core.HttpProtocolOptions = po.GetCommonHttpProtocolOptions()
	return ms(common.GetIdleTimeout())
}
