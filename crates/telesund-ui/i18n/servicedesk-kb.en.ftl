## Knowledge base – the service centre's guides and reply templates (English texts).
## Every key is also in servicedesk-kb.da.ftl.

kb-title = Knowledge base
kb-lead = Guides for citizens and staff, and reply templates for the service centre.
kb-new = New article
kb-edit = Edit
kb-back = Back to the knowledge base

## Search
kb-search-label = Search
kb-search-hint = Words from the title or text. Æ, ø and å may be typed as ae, o and a.
kb-search-submit = Search
kb-filter-all = All
kb-filter-kind = Type
kb-filter-audience = Audience
kb-filter-language = Language
kb-filter-category = Category
kb-filter-model = Equipment
kb-filter-drafts = Also show drafts and retired articles
kb-count = { $count ->
    [one] 1 article
   *[other] { $count } articles
}
kb-none = No article matches the search.
kb-col-title = Title
kb-col-kind = Type
kb-col-audience = Audience
kb-col-language = Language
kb-col-category = Category
kb-col-models = Equipment
kb-col-status = Status
kb-col-updated = Updated
kb-no-category = No category
kb-all-models = All equipment

## Values
kb-kind-guide = Guide
kb-kind-reply-template = Reply template
kb-audience-public = Public
kb-audience-internal = Internal
kb-status-draft = Draft
kb-status-published = Published
kb-status-retired = Retired
kb-language-da = Danish
kb-language-en = English
kb-category-measurement-help = Measurement help
kb-category-equipment-fault = Equipment fault
kb-category-delivery-pickup = Delivery and pickup
kb-category-login-access = Login and access
kb-category-staff-question = Staff question
kb-category-other = Other

## Article
kb-updated = Updated { $when } by { $name }
kb-for-models = For: { $models }
kb-reply-copy = Text to copy
kb-reply-copy-hint = Fill in the square brackets before you send the reply.
kb-not-public = Citizens cannot see this article.

## Editing
kb-form-new-title = New article
kb-form-edit-title = Edit “{ $title }”
kb-field-title = Title
kb-field-body = Text
kb-field-kind = Type
kb-field-audience = Audience
kb-field-audience-hint = Public guides can be read by citizens once published. Reply templates are always internal.
kb-field-language = Language
kb-field-category = Category
kb-field-status = Status
kb-field-models = Equipment the article is about
kb-field-models-hint = A guide needs at least one piece of equipment or a category.
kb-format-title = How to write the text
kb-format-short = Write short sentences – preferably one sentence on each line.
kb-format-paragraph = An empty line starts a new paragraph.
kb-format-steps = Write steps with their number first: “1. Turn on the monitor”. Indent a line to continue the step.
kb-format-picture = A picture stands on its own line: ![what the picture shows](image:picture-id). Upload the picture below and copy its line.
kb-format-no-html = HTML and links are shown as plain text.
kb-save = Save article
kb-ok-saved = The article is saved.
kb-ok-created = The article is created. You can now add pictures.
kb-ok-picture = The picture is added.

## Pictures
kb-pictures-title = Pictures
kb-pictures-none = The article has no pictures yet.
kb-picture-line = Line for the text
kb-picture-upload = Add a picture
kb-picture-file = Picture file (PNG, JPEG or WebP, at most 1 MB)
kb-picture-alt = What does the picture show?
kb-picture-alt-hint = The text is read aloud to those who cannot see the picture. It is required.
kb-picture-insert = Put the picture at the end of the text
kb-picture-submit = Upload picture
kb-picture-needs-js = Pictures are uploaded with JavaScript turned on in the browser.
kb-picture-missing = Choose a picture file.
kb-picture-too-large = The picture is too large. It may be at most 1 MB.

## Errors
kb-error-invalid = The article cannot be saved: { $detail }
kb-error-picture = The picture cannot be saved: { $detail }
kb-problem-title-length = The title must have 1 to 200 characters.
kb-problem-title-lines = The title must be one line.
kb-problem-body-length = The text must have 1 to 20,000 characters.
kb-problem-reply-template-public = Reply templates are for the service centre only: choose the audience Internal.
kb-problem-guide-unreachable = Choose at least one piece of equipment or a category, so the guide can be found.
kb-problem-picture = Line { $line }: a picture is written as ![what the picture shows](image:picture-id), with a picture of this article.

## Citizen portal
kb-portal-back = Back to help
kb-portal-call = Not working? Call the service centre.
