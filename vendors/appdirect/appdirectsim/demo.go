package appdirectsim

import "time"

// Demo account ids, exported so tests and the sandbox can name them.
const (
	// DemoAdaAccountID has three members and active subscriptions: delete is refused twice over.
	DemoAdaAccountID = "0f3a6c1e-2b4d-4e8f-9a10-a1b2c3d4e501"
	// DemoGraceAccountID has five members and no subscriptions.
	DemoGraceAccountID = "1e4b7d2f-3c5e-4f90-8b21-b2c3d4e5f602"
	// DemoAlanAccountID has an active subscription only.
	DemoAlanAccountID = "2d5c8e3a-4d6f-4a01-9c32-c3d4e5f6a703"
	// DemoKatherineAccountID has neither: it is the one demo account deleteAccount removes.
	DemoKatherineAccountID = "3c6d9f4b-5e7a-4b12-8d43-d4e5f6a7b804"
	// DemoEdsgerAccountID is DISABLED and has memberships.
	DemoEdsgerAccountID = "4b7e0a5c-6f8b-4c23-9e54-e5f6a7b8c905"
	// DemoBarbaraAccountID is the channel admin account.
	DemoBarbaraAccountID = "5a8f1b6d-7a9c-4d34-8f65-f6a7b8c9da06"
)

// member and members build demo membership lists.
func member(userID, email, first, last string, roles ...string) membership {
	return membership{UserID: userID, Email: email, FirstName: first, LastName: last, Roles: roles}
}

func members(m ...membership) memberships { return memberships{list: m} }

// demoAccounts is the state Reset restores: six accounts whose contact
// emails are the people Ortto and Apptivo simulators also know, with a
// spread of statuses, access types, members and active subscriptions
// (3, 5, 2 and 8 members on Ada, Grace, Edsger and Barbara; the contact
// person is each one's first member, a SYS_ADMIN).
func demoAccounts() []accountRecord {
	at := func(s string) *time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return &t
	}
	return []accountRecord{
		{
			ID: DemoAdaAccountID, Name: "Analytical Engines Ltd", Status: "ENABLED",
			AccessTypes: []string{"CUSTOMER"}, CreatedOn: at("2021-03-04T09:15:00Z"),
			DefaultRole: "USER", ExternalID: "ext-ada-001", CountryCode: "GB",
			Website: "https://analytical-engines.example.com", ContactEmail: "ada.lovelace@example.com",
			ContactPhoneNumber: "+44 20 7946 0001", CompanySize: "11-50", Industry: "COMPUTER_SOFTWARE",
			Address:             &address{Street1: "12 St James's Square", City: "London", Zip: "SW1Y 4JH", Country: "GB"},
			ActiveSubscriptions: 2,
			Memberships: members(
				member("u-ada-lovelace", "ada.lovelace@example.com", "Ada", "Lovelace", "SYS_ADMIN", "USER"),
				member("u-charles-babbage", "charles.babbage@example.com", "Charles", "Babbage", "USER"),
				member("u-mary-somerville", "mary.somerville@example.com", "Mary", "Somerville", "BILLING_ADMIN", "USER"),
			),
		},
		{
			ID: DemoGraceAccountID, Name: "Harvard Mark Computing", Status: "ENABLED",
			AccessTypes: []string{"CUSTOMER", "VENDOR"}, CreatedOn: at("2021-07-19T14:02:30Z"),
			DefaultRole: "USER", ExternalID: "ext-grace-002", CountryCode: "US",
			Website: "https://harvard-mark.example.com", ContactEmail: "grace.hopper@example.com",
			ContactPhoneNumber: "+1 617 555 0102", CompanySize: "51-200", Industry: "COMPUTER_HARDWARE",
			Address: &address{Street1: "1 Oxford Street", City: "Cambridge", State: "MA", Zip: "02138", Country: "US"},
			Memberships: members(
				member("u-grace-hopper", "grace.hopper@example.com", "Grace", "Hopper", "SYS_ADMIN", "USER"),
				member("u-howard-aiken", "howard.aiken@example.com", "Howard", "Aiken", "USER"),
				member("u-richard-bloch", "richard.bloch@example.com", "Richard", "Bloch", "USER"),
				member("u-robert-campbell", "robert.campbell@example.com", "Robert", "Campbell", "USER"),
				member("u-jean-sammet", "jean.sammet@example.com", "Jean", "Sammet", "BILLING_ADMIN"),
			),
		},
		{
			ID: DemoAlanAccountID, Name: "Bletchley Codebreakers", Status: "ENABLED_WITHOUT_LOGIN",
			AccessTypes: []string{"CUSTOMER", "RESELLER"}, CreatedOn: at("2022-01-10T08:00:00Z"),
			DefaultRole: "USER", ExternalID: "ext-alan-003", CountryCode: "GB",
			Website: "https://bletchley.example.com", ContactEmail: "alan.turing@example.com",
			ContactPhoneNumber: "+44 1908 555 003", CompanySize: "1-10",
			ActiveSubscriptions: 1,
		},
		{
			ID: DemoKatherineAccountID, Name: "Langley Flight Research", Status: "PENDING_ACTIVATION",
			AccessTypes: []string{"CUSTOMER", "NON_VENDOR"}, CreatedOn: at("2022-06-01T16:45:10Z"),
			DefaultRole: "USER", ExternalID: "ext-katherine-004", CountryCode: "US",
			ContactEmail: "katherine.johnson@example.com", ContactPhoneNumber: "+1 757 555 0104",
			CompanySize: "201-500",
		},
		{
			ID: DemoEdsgerAccountID, Name: "Eindhoven Semaphore BV", Status: "DISABLED",
			AccessTypes: []string{"CUSTOMER", "NON_CHANNEL_ADMIN"}, CreatedOn: at("2020-11-23T11:30:00Z"),
			DefaultRole: "USER", ExternalID: "ext-edsger-005", CountryCode: "NL",
			Website: "https://semaphore.example.com", ContactEmail: "edsger.dijkstra@example.com",
			CompanySize: "11-50",
			Memberships: members(
				member("u-edsger-dijkstra", "edsger.dijkstra@example.com", "Edsger", "Dijkstra", "SYS_ADMIN", "USER"),
				member("u-tony-hoare", "tony.hoare@example.com", "Tony", "Hoare", "USER"),
			),
		},
		{
			ID: DemoBarbaraAccountID, Name: "Switchyard Channel Partners", Status: "ENABLED",
			AccessTypes: []string{"CHANNEL_ADMIN", "VENDOR", "RESELLER"}, CreatedOn: at("2019-05-02T07:20:00Z"),
			DefaultRole: "SYS_ADMIN", ExternalID: "ext-barbara-006", CountryCode: "US",
			Website: "https://channel.example.com", ContactEmail: "barbara.liskov@example.com",
			ContactPhoneNumber: "+1 617 555 0106", CompanySize: "1000+", Industry: "INFORMATION_TECHNOLOGY",
			ActiveSubscriptions: 4,
			Memberships: members(
				member("u-barbara-liskov", "barbara.liskov@example.com", "Barbara", "Liskov", "SYS_ADMIN", "CHANNEL_ADMIN", "USER"),
				member("u-jeannette-wing", "jeannette.wing@example.com", "Jeannette", "Wing", "CHANNEL_ADMIN", "USER"),
				member("u-john-guttag", "john.guttag@example.com", "John", "Guttag", "USER"),
				member("u-stephen-zilles", "stephen.zilles@example.com", "Stephen", "Zilles", "USER"),
				member("u-alan-snyder", "alan.snyder@example.com", "Alan", "Snyder", "USER"),
				member("u-craig-schaffert", "craig.schaffert@example.com", "Craig", "Schaffert", "USER"),
				member("u-russ-atkinson", "russ.atkinson@example.com", "Russ", "Atkinson", "USER"),
				member("u-liuba-shrira", "liuba.shrira@example.com", "Liuba", "Shrira", "BILLING_ADMIN", "USER"),
			),
		},
	}
}
