## Telesund – danske tekster (det primære sprog). Hver nøgle findes også i en.ftl.

## Layout
skip-to-content = Gå til indhold
nav-label = Hovedmenu
logout = Log ud
footer = Telesund · fælles telesundhed for region, kommuner og almen praksis
back-to-start = Til forsiden
nav-home = Forside
nav-citizens = Borgere
nav-organisations = Organisationer
nav-users = Brugere
nav-audit = Auditlog
nav-account = Min konto
nav-portal = Mine oplysninger
nav-access-log = Hvem har set mine data

## Fejlsider
forbidden-title = Ingen adgang
forbidden-text = Du har ikke adgang til disse oplysninger. Forsøget er registreret i auditloggen. Kontakt din administrator, hvis du mener, at du bør have adgang.
notfound-title = Siden findes ikke
notfound-text = Vi kunne ikke finde det, du ledte efter.
error-invalid-input = Oplysningerne kunne ikke gemmes: { $detail }
error-conflict = Der findes allerede en post med de oplysninger.
error-not-found-form = Det valgte findes ikke længere. Genindlæs siden og prøv igen.

## Login
login-title = Log ind
login-heading = Log ind som medarbejder
login-intro = Brug din e-mailadresse og din adgangskode til Telesund.
field-email = E-mail
field-password = Adgangskode
login-submit = Log ind
login-citizen-link = Er du borger? Log ind på borgerportalen
login-error-invalid = Forkert e-mail eller adgangskode.
login-error-locked = Kontoen er låst efter for mange forkerte forsøg. Prøv igen om 15 minutter.
login-error-rate = For mange loginforsøg fra din adresse. Vent et minut, og prøv igen.
totp-title = Bekræft med engangskode
totp-intro = Indtast den sekscifrede kode fra din godkendelses-app.
field-code = Engangskode
totp-submit = Bekræft
totp-error-invalid = Koden er forkert eller allerede brugt.

## Forside
home-title = Forside
home-greeting = Goddag, { $name }
home-roles = Dine roller
home-no-roles = Du har ingen aktive roller. Kontakt din administrator.
home-tasks = Det kan du gøre
home-citizens-hint = Find en borger på navn, CPR-nummer eller telefonnummer.
home-organisations-hint = Regioner, kommuner, hospitaler, praksis og servicecentre.
home-users-hint = Opret medarbejdere, tildel og afslut roller.
home-audit-hint = Hvem har gjort hvad – også afviste forsøg.
home-account-hint = Sprog og totrinsbekræftelse.

## Borgersøgning
citizens-title = Find borger
search-label = Søg efter borger
search-hint = Navn, CPR-nummer (DDMMÅÅ-XXXX) eller telefonnummer.
search-submit = Søg
search-empty = Skriv et navn, et CPR-nummer eller et telefonnummer for at søge.
search-none = Ingen borgere matcher »{ $q }«.
search-count = Resultater: { $count }
col-name = Navn
col-cpr = CPR-nummer
col-municipality = Kommune

## Borgeroverblik
citizen-title = Borger
acting-as = Du ser oplysningerne som { $role }.
tabs-label = Borgerens journal
tab-overview = Overblik
section-identity = Identitet
field-birth-date = Fødselsdato
field-age = Alder
years = { $n } år
field-language = Sprog
field-assisted = Behov for hjælp til selvbetjening
yes = Ja
no = Nej
none = Ingen
section-contact = Kontakt
field-address = Adresse
field-phones = Telefon
section-next-of-kin = Pårørende
contact-hidden = Du har ikke adgang til borgerens kontaktoplysninger.
section-programmes = Forløb
programmes-none = Borgeren er ikke i noget forløb.
col-programme = Forløb
col-organisation = Organisation
col-status = Status
col-started = Startet
col-ended = Afsluttet
section-not-shown = Du har ikke adgang til disse oplysninger.
section-care-teams = Behandlingsteams
teams-none = Borgeren har ingen behandlingsteams.
team-managed-by = Ledes af { $org }
team-everyone-with-role = Alle med rollen
col-member = Medlem
col-role = Rolle
col-scope = Ansvar
section-consents = Samtykker
consents-none = Der er ikke registreret samtykker.
col-consent = Samtykke
col-recorded-by = Registreret af
col-when = Tidspunkt
col-note = Note
consent-all-programmes = Alle forløb
consent-by-citizen = Borgeren selv
active = Aktiv
inactive = Inaktiv
language-da = Dansk
language-en = Engelsk

## Min konto
account-title = Min konto
account-me = Dine oplysninger
account-language-label = Foretrukket sprog
save = Gem
totp-heading = Totrinsbekræftelse
totp-on = Totrinsbekræftelse er slået til
totp-off = Totrinsbekræftelse er slået fra
totp-explain = Med totrinsbekræftelse skal du ud over adgangskoden indtaste en kode fra en godkendelses-app, når du logger ind.
totp-start = Slå totrinsbekræftelse til
totp-setup-intro = Tilføj kontoen i din godkendelses-app med hemmeligheden eller adressen nedenfor, og bekræft med den kode, appen viser.
totp-secret = Hemmelighed
totp-uri = Opsætningsadresse
totp-confirm = Bekræft og slå til
totp-disable-label = Engangskode for at slå fra
totp-disable = Slå totrinsbekræftelse fra
totp-enabled-notice = Totrinsbekræftelse er slået til.
totp-disabled-notice = Totrinsbekræftelse er slået fra.

## Administration: organisationer
orgs-title = Organisationer
orgs-new = Opret organisation
orgs-no-parent = Ingen (øverste niveau)
orgs-created = Organisationen er oprettet.
orgs-error-name = Organisationen skal have et navn.
orgs-error-kind = Vælg en type.
orgs-error-cvr = Et CVR-nummer har 8 cifre.
orgs-error-sor = En SOR-kode består af op til 18 cifre.
col-kind = Type
col-sor = SOR-kode
col-cvr = CVR-nummer
col-parent = Overordnet organisation
create = Opret

## Administration: brugere
users-title = Brugere
users-new = Opret bruger
users-no-membership = Vælg organisation
users-created = Brugeren er oprettet.
users-membership-added = Rollen er tildelt.
users-membership-ended = Rollen er afsluttet.
users-activated = Brugeren er genaktiveret.
users-deactivated = Brugeren er deaktiveret og logget ud.
users-error-name = Brugeren skal have et navn.
users-error-email = Skriv en gyldig e-mailadresse.
users-error-password = Adgangskoden skal have mindst 10 tegn.
users-error-role = Vælg en rolle.
users-error-membership = Vælg både organisation og rolle.
users-choose-role = Vælg rolle
audit-request-id = Forespørgsel
users-password-hint = Mindst 10 tegn.
users-end-membership = Afslut
users-add-membership = Tildel rolle
users-deactivate = Deaktiver
users-activate = Aktiver
col-memberships = Roller
since = fra { $date }

## Administration: auditlog
audit-title = Auditlog
audit-filter = Filtrer
audit-citizen = Borger (id)
audit-user = Bruger (id eller e-mail)
audit-action = Handling
audit-from = Fra dato
audit-to = Til dato
audit-only-denied = Kun afviste forsøg
audit-apply = Vis
audit-all-orgs = Alle organisationer
audit-all-actions = Alle handlinger
audit-empty = Ingen hændelser matcher filteret.
audit-entity = Objekt
audit-older = Ældre hændelser
audit-error-user = Der findes ingen bruger med den e-mailadresse.
audit-error-filter = Filteret er ugyldigt. Tjek id'er og datoer (ÅÅÅÅ-MM-DD).
col-who = Hvem
col-purpose = Formål
col-outcome = Udfald
col-what = Hvad
outcome-allowed = Tilladt
outcome-denied = Afvist

## Borgerportal
portal-login-title = Log ind på borgerportalen
portal-login-heading = Log ind på Telesund
portal-login-intro = Log ind med dit CPR-nummer eller din e-mail og din adgangskode.
field-cpr-or-email = CPR-nummer eller e-mail
portal-staff-link = Er du medarbejder? Log ind her
portal-login-error-invalid = Forkert CPR-nummer, e-mail eller adgangskode.
portal-title = Mine oplysninger
portal-intro = Her kan du se de oplysninger, Telesund har om dig.
access-title = Hvem har set mine data
access-intro = Her kan du se, hvem der har set eller forsøgt at se dine oplysninger, hvornår og hvorfor.
access-empty = Ingen har set dine oplysninger endnu.
access-count = Registreringer: { $count }

## Roller
role-system-admin = Systemadministrator
role-org-admin = Organisationsadministrator
role-clinician = Kliniker
role-social-supporter = Socialpædagogisk støtte
role-service-desk-agent = Servicemedarbejder
role-logistics-technician = Logistiktekniker
role-educator = Underviser
role-analyst = Analytiker

## Organisationstyper
orgkind-region = Region
orgkind-municipality = Kommune
orgkind-hospital = Hospital
orgkind-hospital-department = Hospitalsafdeling
orgkind-general-practice = Almen praksis
orgkind-service-centre = Servicecenter
orgkind-partner = Samarbejdspartner

## Samtykker
consent-telemedicine-participation = Deltagelse i telemedicinsk forløb
consent-cross-sector-sharing = Deling på tværs af sektorer
consent-logistics-address-sharing = Deling af adresse med logistik
consent-social-staff-sharing = Deling med socialfagligt personale
consentstatus-given = Givet
consentstatus-withdrawn = Trukket tilbage

## Forløbsstatus og teamansvar
enrolment-active = Aktivt
enrolment-paused = På pause
enrolment-ended = Afsluttet
scope-clinical = Klinisk
scope-social-support = Social støtte
scope-service-support = Service og logistik

## Datakategorier
category-identity = Identitet
category-contact = Kontaktoplysninger
category-care-relationships = Forløb og teams
category-consents = Samtykker
category-clinical = Kliniske data
category-support = Udstyr og service
category-access-log = Adgangslog

## Handlinger
action-read = Læst
action-search = Søgning
action-create = Oprettet
action-update = Ændret
action-delete = Slettet
action-login = Login
action-login-failed = Mislykket login
action-logout = Log ud

## Formål
purpose-treatment = Behandling
purpose-support = Service og support
purpose-self-service = Selvbetjening
purpose-administration = Administration
purpose-operations = Drift
purpose-authentication = Login
