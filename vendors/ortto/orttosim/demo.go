package orttosim

import "time"

// Demo audiences, with ids in Ortto's 24-hex form.
const (
	audWeekly  = "625f7213a914327aa1999b43"
	audSubs    = "6241681069639ee210f8a298"
	audSMS     = "6904f4fbf0cc08364094a965"
	audEngaged = "6241681069639ee210f8a29a"
)

func ts(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

// demoState is the data a fresh or reset simulator holds. The people's
// emails are shared with the Apptivo simulator's customers so that the
// gateway can join them (edsger.dijkstra has no Apptivo customer).
func demoState() stateDoc {
	return stateDoc{
		People: []Person{
			{
				PersonID: "00650c1e8a2f4b6d3e9a1c00", Email: "ada.lovelace@example.com", ExternalID: "crm-1815",
				Subscriptions: []Subscription{
					{AudienceID: audWeekly, AudienceName: "Weekly updates", MemberFrom: ts("2024-03-11T09:15:02Z"), Subscribed: true, SubscribedFrom: ts("2024-03-11T09:15:02Z")},
					{AudienceID: audSubs, AudienceName: "Subscribers", MemberFrom: ts("2024-01-05T14:40:11Z"), Subscribed: true, SubscribedFrom: ts("2024-01-05T14:40:12Z")},
					{AudienceID: audEngaged, AudienceName: "Engaged subscribers", MemberFrom: ts("2024-06-20T08:02:45Z"), Subscribed: true, SubscribedFrom: ts("2024-06-20T08:02:45Z")},
				},
				EmailPermissions: true,
			},
			{
				PersonID: "00650c1f2b7d9e4a6c3f5b00", Email: "grace.hopper@example.com", ExternalID: "crm-1906",
				Subscriptions: []Subscription{
					{AudienceID: audSMS, AudienceName: "SMS subscribers", MemberFrom: ts("2024-02-14T17:21:09Z"), Subscribed: true, SubscribedFrom: ts("2024-02-14T17:21:09Z"), SMSOptedIn: true},
					{AudienceID: audSubs, AudienceName: "Subscribers", MemberFrom: ts("2024-02-14T17:20:55Z"), Subscribed: true, SubscribedFrom: ts("2024-02-14T17:20:55Z"), SMSOptedIn: true},
				},
				EmailPermissions: true, SMSPermissions: true,
			},
			{
				PersonID: "00650c20d4e6f8a1b3c5d700", Email: "alan.turing@example.com", ExternalID: "crm-1912",
				Subscriptions: []Subscription{
					{AudienceID: audWeekly, AudienceName: "Weekly updates", MemberFrom: ts("2023-11-02T10:00:00Z"), Subscribed: false, SubscribedFrom: ts("2023-11-02T10:00:00Z"), UnsubscribedFrom: ts("2024-04-30T12:13:14Z")},
				},
			},
			{
				PersonID: "00650c21e9f1a3b5c7d9eb00", Email: "katherine.johnson@example.com", ExternalID: "crm-1918",
				Subscriptions: []Subscription{
					{AudienceID: audSubs, AudienceName: "Subscribers", MemberFrom: ts("2024-05-01T06:30:00Z"), Subscribed: true, SubscribedFrom: ts("2024-05-01T06:30:00Z")},
					{AudienceID: audSMS, AudienceName: "SMS subscribers", MemberFrom: ts("2024-05-01T06:31:10Z"), Subscribed: true, SubscribedFrom: ts("2024-05-01T06:31:10Z"), SMSOptedOutFrom: ts("2024-08-19T22:05:41Z")},
				},
				EmailPermissions: true, IOSPermissions: true,
			},
			{
				PersonID: "00650c22f0a2b4c6d8e0f200", Email: "edsger.dijkstra@example.com",
				Subscriptions: []Subscription{
					{AudienceID: audEngaged, AudienceName: "Engaged subscribers", MemberFrom: ts("2024-07-07T07:07:07Z"), Subscribed: true, SubscribedFrom: ts("2024-07-07T07:07:08Z"), WebOptedIn: true},
				},
				EmailPermissions: true, WebPermissions: true,
			},
		},
		Accounts: []Account{
			{ID: "106905f9252dad244f055800", Fields: map[string]any{"str:o:name": "Analytical Engines Ltd"}},
			{ID: "106904f4fd2dad244ea03100", Fields: map[string]any{"str:o:name": "Bletchley Park Codebreakers"}},
			{ID: "10690a1b3c2dad244f0a1200", Fields: map[string]any{"str:o:name": "COBOL Compilers Inc"}},
			{ID: "10690a2c4d2dad244f0b2300", Fields: map[string]any{"str:o:name": "Langley Research Computing"}},
			{ID: "10690a3d5e2dad244f0c3400", Fields: map[string]any{"str:o:name": "Structured Programming BV"}, Archived: true},
			{ID: "10690a4e6f2dad244f0d4500", Fields: map[string]any{"str:o:name": "Difference Engine Works"}, Archived: true},
		},
	}
}
