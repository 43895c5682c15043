package ldapi_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/secret"
)

func TestParseHost(t *testing.T) {
	tests := []struct {
		raw, want, wantErr string
	}{
		{"https://app.launchdarkly.com", "https://app.launchdarkly.com", ""},
		{"https://app.launchdarkly.com/", "https://app.launchdarkly.com", ""},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", ""},
		{"HTTPS://App.EU.launchdarkly.com", "https://App.EU.launchdarkly.com", ""},
		{"http://[::1]:9", "http://[::1]:9", ""},
		{"https://user:hunter2-secret@app.launchdarkly.com", "", "it has a user name or password"},
		{"https://api-0000-secret@app.launchdarkly.com", "", "it has a user name or password"},
		{"https://app.launchdarkly.com/secret-path", "", "it has a path"},
		{"https://app.launchdarkly.com/api/v2", "", "it has a path"},
		{"https://app.launchdarkly.com?token=secret-query", "", "it has a query"},
		{"https://app.launchdarkly.com?", "", "it has a query"},
		{"https://app.launchdarkly.com#secret-fragment", "", "it has a fragment"},
		{"https://app.launchdarkly.com#", "", "it has a fragment"},
		{"ftp://secret-host.example", "", "its scheme must be http or https"},
		{"secret-host.example", "", "its scheme must be http or https"},
		{"https://", "", "it has no host"},
		{"https://:443", "", "it has no host"},
		{"https:secret-opaque", "", "it has no host"},
		{"https://secret-host.example:0", "", "its port must be a number from 1 to 65535"},
		{"https://secret-host.example:70000", "", "its port must be a number from 1 to 65535"},
		{"https://secret-host.example:", "", "its port must be a number from 1 to 65535"},
		{"https://secret-host.example:x", "", "it is not a URL"},
		{"https://secret host.example", "", "it is not a URL"},
		{" https://secret-host.example", "", "it is not a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			u, err := ldapi.ParseHost(tt.raw)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, "the api host must be scheme://host[:port], such as https://app.launchdarkly.com; "+tt.wantErr, err.Error())
				assert.NotContains(t, err.Error(), "secret", "the error never repeats the value")
				assert.NotContains(t, err.Error(), "hunter2")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, u.String())
		})
	}
}

func TestNewParsesTheHost(t *testing.T) {
	_, err := ldapi.New(ldapi.Config{Host: "https://user:pass@app.launchdarkly.com", Token: secret.New(accessToken)})
	require.EqualError(t, err, "the api host must be scheme://host[:port], such as https://app.launchdarkly.com; it has a user name or password")

	c, err := ldapi.New(ldapi.Config{Host: "https://app.launchdarkly.com/", Token: secret.New(accessToken)})
	require.NoError(t, err)
	assert.Equal(t, "https://app.launchdarkly.com", c.Host())
}
