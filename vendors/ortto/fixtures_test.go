package ortto_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/vendors/ortto"
)

// fixtureDir holds live Ortto replies recorded by phpdevkits/ortto-sdk
// (see shared/fixtures/SOURCES.md).
const fixtureDir = "../../../shared/fixtures/ortto"

type fixture struct {
	StatusCode int    `json:"statusCode"`
	Data       string `json:"data"`
}

// serveFixture answers every request with the recorded status and body.
func serveFixture(t *testing.T, f fixture) *ortto.Client {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.StatusCode)
		_, _ = w.Write([]byte(f.Data))
	}))
	t.Cleanup(ts.Close)
	c, err := ortto.New(ortto.Config{APIKey: secretKey, BaseURL: ts.URL + "/v1-base"})
	require.NoError(t, err)
	return c
}

// TestRecordedFixtures runs the client against every recorded Ortto reply
// that belongs to an endpoint it calls, and against every recorded error.
func TestRecordedFixtures(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(fixtureDir, "*", "*.json"))
	if len(files) == 0 {
		t.Skipf("no Ortto fixtures at %s (the shared folder is absent); skipping conformance against recorded replies", fixtureDir)
	}
	ctx := context.Background()
	exercised := 0
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		t.Run(filepath.Base(filepath.Dir(path))+"/"+name, func(t *testing.T) {
			raw, err := os.ReadFile(path)
			require.NoError(t, err)
			var f fixture
			require.NoError(t, json.Unmarshal(raw, &f))
			c := serveFixture(t, f)

			if f.StatusCode >= 400 {
				var body struct {
					Error string `json:"error"`
				}
				require.NoError(t, json.Unmarshal([]byte(f.Data), &body))
				_, err := c.ArchiveAccounts(ctx, ortto.AccountSelection{InclusionIDs: []string{"x"}})
				ve := vendorError(t, err)
				assert.Equal(t, outbound.KindBadInput, ve.Kind)
				assert.Equal(t, f.StatusCode, ve.HTTPStatus)
				assert.True(t, strings.HasPrefix(ve.Message, body.Error), "message %q starts with the vendor's error", ve.Message)
				assert.Empty(t, ve.Code)
				if strings.HasPrefix(name, "get_accounts") {
					// A refusal recorded from the listing itself.
					ids, err := c.AccountIDs(ctx, true)
					assert.Nil(t, ids)
					ve := vendorError(t, err)
					assert.Equal(t, outbound.KindBadInput, ve.Kind)
					assert.Equal(t, "get accounts", ve.Operation)
					assert.Equal(t, body.Error, ve.Message)
				}
				exercised++
				return
			}

			sel := ortto.AccountSelection{InclusionIDs: []string{"106905f9252dad244f055800"}}
			switch {
			case strings.HasPrefix(name, "archive_accounts"):
				got, err := c.ArchiveAccounts(ctx, sel)
				require.NoError(t, err)
				assert.Equal(t, ortto.BulkResult{Archived: 1}, *got)
			case strings.HasPrefix(name, "restore_accounts"):
				got, err := c.RestoreAccounts(ctx, sel)
				require.NoError(t, err)
				assert.Equal(t, ortto.BulkResult{Restored: 1}, *got)
			case strings.HasPrefix(name, "delete_accounts"):
				got, err := c.DeleteAccounts(ctx, sel)
				require.NoError(t, err)
				assert.Equal(t, ortto.BulkResult{Deleted: 1}, *got)
			case name == "get_accounts_basic":
				got, err := c.AccountIDs(ctx, false)
				require.NoError(t, err, "has_more false: one page")
				assert.Equal(t, []string{"106905f9252dad244f055800", "106904f4fd2dad244ea03100"}, got)
				dry, err := c.Affected(ctx, "archive", ortto.AccountSelection{AllRowsSelected: true, ExclusionIDs: got[:1]})
				require.NoError(t, err)
				assert.Equal(t, got[1:], dry)
			case name == "get_subscriptions_by_email":
				got, err := c.Subscriptions(ctx, []ortto.PersonRef{{Email: "Subscription.Test@example.com"}})
				require.NoError(t, err)
				require.NotNil(t, got[0])
				p := got[0]
				assert.Equal(t, "merged", p.PersonStatus)
				assert.Equal(t, "0069091a7c13f062f778ad00", p.PersonID)
				assert.True(t, p.EmailPermissions)
				assert.True(t, p.SMSPermissions)
				require.Len(t, p.Subscriptions, 2)
				assert.Equal(t, "SMS subscribers", p.Subscriptions[0].AudienceName)
				assert.True(t, p.Subscriptions[0].SMSOptedIn)
				require.NotNil(t, p.Subscriptions[0].SubscribedFrom)
				assert.Equal(t, "2025-11-03T21:11:24Z", p.Subscriptions[0].SubscribedFrom.Format("2006-01-02T15:04:05Z07:00"))
			case name == "get_subscriptions_by_person_id":
				got, err := c.Subscriptions(ctx, []ortto.PersonRef{{PersonID: "00690a497c192b642e21dd00"}, {PersonID: "0069091a7c13f062f778ad00"}})
				require.NoError(t, err)
				require.NotNil(t, got[0])
				assert.Nil(t, got[1], "a person not in the reply is nil")
				assert.Equal(t, "by-id", got[0].PersonStatus)
				assert.Empty(t, got[0].Email)
				require.Len(t, got[0].Subscriptions, 1)
				assert.False(t, got[0].Subscriptions[0].Subscribed)
			default:
				t.Skipf("%s is a reply of an endpoint this client does not call", name)
			}
			exercised++
		})
	}
	assert.GreaterOrEqual(t, exercised, 18, "the recorded replies of our endpoints and the recorded errors were all exercised")
}
