## Vidensbase – servicecentrets vejledninger og svarskabeloner (danske tekster).
## Hver nøgle findes også i servicedesk-kb.en.ftl.

kb-title = Vidensbase
kb-lead = Vejledninger til borgere og medarbejdere, og svarskabeloner til servicecentret.
kb-new = Ny artikel
kb-edit = Rediger
kb-back = Tilbage til vidensbasen

## Søgning
kb-search-label = Søg
kb-search-hint = Ord fra titel eller tekst. Æ, ø og å kan skrives som ae, o og a.
kb-search-submit = Søg
kb-filter-all = Alle
kb-filter-kind = Type
kb-filter-audience = Målgruppe
kb-filter-language = Sprog
kb-filter-category = Kategori
kb-filter-model = Udstyr
kb-filter-drafts = Vis også kladder og udgåede
kb-count = { $count ->
    [one] 1 artikel
   *[other] { $count } artikler
}
kb-none = Ingen artikler passer til søgningen.
kb-col-title = Titel
kb-col-kind = Type
kb-col-audience = Målgruppe
kb-col-language = Sprog
kb-col-category = Kategori
kb-col-models = Udstyr
kb-col-status = Status
kb-col-updated = Opdateret
kb-no-category = Ingen kategori
kb-all-models = Alt udstyr

## Værdier
kb-kind-guide = Vejledning
kb-kind-reply-template = Svarskabelon
kb-audience-public = Offentlig
kb-audience-internal = Intern
kb-status-draft = Kladde
kb-status-published = Udgivet
kb-status-retired = Udgået
kb-language-da = Dansk
kb-language-en = Engelsk
kb-category-measurement-help = Hjælp til måling
kb-category-equipment-fault = Fejl på udstyr
kb-category-delivery-pickup = Levering og afhentning
kb-category-login-access = Login og adgang
kb-category-staff-question = Spørgsmål fra personale
kb-category-other = Andet

## Artikel
kb-updated = Opdateret { $when } af { $name }
kb-for-models = Til: { $models }
kb-reply-copy = Tekst til at kopiere
kb-reply-copy-hint = Ret de firkantede parenteser, før du sender svaret.
kb-not-public = Borgere kan ikke se denne artikel.

## Redigering
kb-form-new-title = Ny artikel
kb-form-edit-title = Rediger »{ $title }«
kb-field-title = Titel
kb-field-body = Tekst
kb-field-kind = Type
kb-field-audience = Målgruppe
kb-field-audience-hint = Offentlige vejledninger kan læses af borgere, når de er udgivet. Svarskabeloner er altid interne.
kb-field-language = Sprog
kb-field-category = Kategori
kb-field-status = Status
kb-field-models = Udstyr artiklen handler om
kb-field-models-hint = En vejledning skal have mindst ét stykke udstyr eller en kategori.
kb-format-title = Sådan skriver du teksten
kb-format-short = Skriv korte sætninger – gerne én sætning på hver linje.
kb-format-paragraph = En tom linje starter et nyt afsnit.
kb-format-steps = Trin skrives med tal først: »1. Tænd for måleren«. Ryk en linje ind for at fortsætte trinnet.
kb-format-picture = Et billede står på sin egen linje: ![hvad billedet viser](image:billedets-id). Upload billedet nedenfor og kopier linjen.
kb-format-no-html = HTML og links vises som almindelig tekst.
kb-save = Gem artikel
kb-ok-saved = Artiklen er gemt.
kb-ok-created = Artiklen er oprettet. Du kan nu tilføje billeder.
kb-ok-picture = Billedet er tilføjet.

## Billeder
kb-pictures-title = Billeder
kb-pictures-none = Artiklen har ingen billeder endnu.
kb-picture-line = Linje til teksten
kb-picture-upload = Tilføj billede
kb-picture-file = Billedfil (PNG, JPEG eller WebP, højst 1 MB)
kb-picture-alt = Hvad viser billedet?
kb-picture-alt-hint = Teksten læses op for dem, der ikke kan se billedet. Den er påkrævet.
kb-picture-insert = Sæt billedet ind sidst i teksten
kb-picture-submit = Upload billede
kb-picture-needs-js = Billeder uploades med JavaScript slået til i browseren.
kb-picture-missing = Vælg en billedfil.
kb-picture-too-large = Billedet er for stort. Det må højst fylde 1 MB.

## Fejl
kb-error-invalid = Artiklen kan ikke gemmes: { $detail }
kb-error-picture = Billedet kan ikke gemmes: { $detail }
kb-problem-title-length = Titlen skal have mellem 1 og 200 tegn.
kb-problem-title-lines = Titlen skal stå på én linje.
kb-problem-body-length = Teksten skal have mellem 1 og 20.000 tegn.
kb-problem-reply-template-public = Svarskabeloner er kun til servicecentret: vælg målgruppen Intern.
kb-problem-guide-unreachable = Vælg mindst ét stykke udstyr eller en kategori, så vejledningen kan findes.
kb-problem-picture = Linje { $line }: et billede skrives som ![hvad billedet viser](image:billedets-id), med et billede fra denne artikel.

## Borgerportalen
kb-portal-back = Tilbage til hjælp
kb-portal-call = Virker det ikke? Ring til servicecentret.
