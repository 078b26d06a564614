## Telesund – English texts (the second language). Every key also exists in da.ftl.

## Layout
skip-to-content = Skip to content
nav-label = Main menu
logout = Sign out
footer = Telesund · shared telehealth for the region, municipalities and general practice
back-to-start = To the start page
nav-home = Start
nav-citizens = Citizens
nav-organisations = Organisations
nav-users = Users
nav-audit = Audit log
nav-account = My account
nav-portal = My information
nav-access-log = Who has seen my data

## Error pages
forbidden-title = No access
forbidden-text = You do not have access to this information. The attempt has been recorded in the audit log. Contact your administrator if you think you should have access.
notfound-title = Page not found
notfound-text = We could not find what you were looking for.
error-invalid-input = The details could not be saved: { $detail }
error-conflict = A record with these details already exists.
error-not-found-form = The item you chose no longer exists. Reload the page and try again.

## Login
login-title = Sign in
login-heading = Sign in as staff
login-intro = Use your e-mail address and your Telesund password.
field-email = E-mail
field-password = Password
login-submit = Sign in
login-citizen-link = Are you a citizen? Sign in to the citizen portal
login-error-invalid = Wrong e-mail or password.
login-error-locked = The account is locked after too many failed attempts. Try again in 15 minutes.
login-error-rate = Too many login attempts from your address. Wait a minute and try again.
totp-title = Confirm with a one-time code
totp-intro = Enter the six-digit code from your authenticator app.
field-code = One-time code
totp-submit = Confirm
totp-error-invalid = The code is wrong or has already been used.

## Start page
home-title = Start
home-greeting = Hello, { $name }
home-roles = Your roles
home-no-roles = You have no active roles. Contact your administrator.
home-tasks = What you can do
home-citizens-hint = Find a citizen by name, CPR number or phone number.
home-organisations-hint = Regions, municipalities, hospitals, practices and service centres.
home-users-hint = Create staff users, grant and end roles.
home-audit-hint = Who did what – refused attempts included.
home-account-hint = Language and two-step verification.

## Citizen search
citizens-title = Find citizen
search-label = Search for a citizen
search-hint = Name, CPR number (DDMMYY-XXXX) or phone number.
search-submit = Search
search-empty = Type a name, a CPR number or a phone number to search.
search-none = No citizens match “{ $q }”.
search-count = Results: { $count }
col-name = Name
col-cpr = CPR number
col-municipality = Municipality

## Citizen overview
citizen-title = Citizen
acting-as = You are viewing this as { $role }.
tabs-label = The citizen's record
tab-overview = Overview
section-identity = Identity
field-birth-date = Date of birth
field-age = Age
years = { $n } years
field-language = Language
field-assisted = Needs help with self-service
yes = Yes
no = No
none = None
section-contact = Contact
field-address = Address
field-phones = Phone
section-next-of-kin = Next of kin
contact-hidden = You do not have access to the citizen's contact details.
section-programmes = Programmes
programmes-none = The citizen is not in any programme.
col-programme = Programme
col-organisation = Organisation
col-status = Status
col-started = Started
col-ended = Ended
section-not-shown = You do not have access to this information.
section-care-teams = Care teams
teams-none = The citizen has no care teams.
team-managed-by = Managed by { $org }
team-everyone-with-role = Everyone with the role
col-member = Member
col-role = Role
col-scope = Scope
section-consents = Consents
consents-none = No consents have been recorded.
col-consent = Consent
col-recorded-by = Recorded by
col-when = When
col-note = Note
consent-all-programmes = All programmes
consent-by-citizen = The citizen
active = Active
inactive = Inactive
language-da = Danish
language-en = English

## My account
account-title = My account
account-me = Your details
account-language-label = Preferred language
save = Save
totp-heading = Two-step verification
totp-on = Two-step verification is on
totp-off = Two-step verification is off
totp-explain = With two-step verification you enter a code from an authenticator app as well as your password when you sign in.
totp-start = Turn on two-step verification
totp-setup-intro = Add the account to your authenticator app with the secret or the address below, and confirm with the code the app shows.
totp-secret = Secret
totp-uri = Set-up address
totp-confirm = Confirm and turn on
totp-disable-label = One-time code to turn it off
totp-disable = Turn off two-step verification
totp-enabled-notice = Two-step verification is on.
totp-disabled-notice = Two-step verification is off.

## Administration: organisations
orgs-title = Organisations
orgs-new = Create organisation
orgs-no-parent = None (top level)
orgs-created = The organisation has been created.
orgs-error-name = The organisation needs a name.
orgs-error-kind = Choose a kind.
orgs-error-cvr = A CVR number has 8 digits.
orgs-error-sor = A SOR code has up to 18 digits.
col-kind = Kind
col-sor = SOR code
col-cvr = CVR number
col-parent = Parent organisation
create = Create

## Administration: users
users-title = Users
users-new = Create user
users-no-membership = Choose an organisation
users-created = The user has been created.
users-membership-added = The role has been granted.
users-membership-ended = The role has been ended.
users-activated = The user has been reactivated.
users-deactivated = The user has been deactivated and signed out.
users-error-name = The user needs a name.
users-error-email = Enter a valid e-mail address.
users-error-password = The password needs at least 10 characters.
users-error-role = Choose a role.
users-error-membership = Choose both an organisation and a role.
users-choose-role = Choose a role
audit-request-id = Request
users-password-hint = At least 10 characters.
users-end-membership = End
users-add-membership = Grant role
users-deactivate = Deactivate
users-activate = Activate
col-memberships = Roles
since = since { $date }

## Administration: audit log
audit-title = Audit log
audit-filter = Filter
audit-citizen = Citizen (id)
audit-user = User (id or e-mail)
audit-action = Action
audit-from = From date
audit-to = To date
audit-only-denied = Refused attempts only
audit-apply = Show
audit-all-orgs = All organisations
audit-all-actions = All actions
audit-empty = No events match the filter.
audit-entity = Object
audit-older = Older events
audit-error-user = There is no user with that e-mail address.
audit-error-filter = The filter is not valid. Check ids and dates (YYYY-MM-DD).
col-who = Who
col-purpose = Purpose
col-outcome = Outcome
col-what = What
outcome-allowed = Allowed
outcome-denied = Refused

## Citizen portal
portal-login-title = Sign in to the citizen portal
portal-login-heading = Sign in to Telesund
portal-login-intro = Sign in with your CPR number or e-mail and your password.
field-cpr-or-email = CPR number or e-mail
portal-staff-link = Staff? Sign in here
portal-login-error-invalid = Wrong CPR number, e-mail or password.
portal-title = My information
portal-intro = Here you can see the information Telesund holds about you.
access-title = Who has seen my data
access-intro = Here you can see who has seen or tried to see your information, when and why.
access-empty = Nobody has seen your information yet.
access-count = Entries: { $count }

## Roles
role-system-admin = System administrator
role-org-admin = Organisation administrator
role-clinician = Clinician
role-social-supporter = Socio-pedagogical supporter
role-service-desk-agent = Service-desk agent
role-logistics-technician = Logistics technician
role-educator = Educator
role-analyst = Analyst

## Organisation kinds
orgkind-region = Region
orgkind-municipality = Municipality
orgkind-hospital = Hospital
orgkind-hospital-department = Hospital department
orgkind-general-practice = General practice
orgkind-service-centre = Service centre
orgkind-partner = Partner

## Consents
consent-telemedicine-participation = Taking part in a telemedicine programme
consent-cross-sector-sharing = Sharing across sectors
consent-logistics-address-sharing = Sharing the address with logistics
consent-social-staff-sharing = Sharing with social staff
consentstatus-given = Given
consentstatus-withdrawn = Withdrawn

## Enrolment status and team scope
enrolment-active = Active
enrolment-paused = Paused
enrolment-ended = Ended
scope-clinical = Clinical
scope-social-support = Social support
scope-service-support = Service and logistics

## Data categories
category-identity = Identity
category-contact = Contact details
category-care-relationships = Programmes and teams
category-consents = Consents
category-clinical = Clinical data
category-support = Equipment and service
category-access-log = Access log

## Actions
action-read = Read
action-search = Search
action-create = Created
action-update = Changed
action-delete = Deleted
action-login = Sign-in
action-login-failed = Failed sign-in
action-logout = Sign-out

## Purposes
purpose-treatment = Treatment
purpose-support = Service and support
purpose-self-service = Self-service
purpose-administration = Administration
purpose-operations = Operations
purpose-authentication = Sign-in
