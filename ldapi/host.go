package ldapi

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// ParseHost parses an API host: http or https, a host, and an optional
// port, with nothing else (a trailing "/" is allowed). The URL returned
// holds only the scheme and host. The error never repeats raw, which may
// hold credentials; it says which part is wrong.
func ParseHost(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, hostError("it is not a URL")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, hostError("its scheme must be http or https")
	case u.User != nil:
		return nil, hostError("it has a user name or password")
	case u.Opaque != "" || u.Hostname() == "":
		return nil, hostError("it has no host")
	case u.Path != "" && u.Path != "/":
		return nil, hostError("it has a path")
	case u.RawQuery != "" || u.ForceQuery:
		return nil, hostError("it has a query")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, hostError("it has a fragment")
	}
	if p := u.Port(); p != "" || strings.HasSuffix(u.Host, ":") {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, hostError("its port must be a number from 1 to 65535")
		}
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

func hostError(what string) error {
	return errors.New("the api host must be scheme://host[:port], such as " + DefaultHost + "; " + what)
}

// origin is a URL's scheme, host and port (the default port made
// explicit), for comparing where two URLs lead.
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return u.Scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}
