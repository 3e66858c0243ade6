"""The one stream block that every content page of Passerelle uses for its body."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[
            ("information", _("Information")),
            ("attention", _("Attention")),
            ("retenir", _("À retenir")),
        ],
        default="information",
        label=_("Type"),
    )
    title = blocks.CharBlock(required=False, label=_("Titre"))
    text = blocks.RichTextBlock(features=["bold", "italic", "ol", "ul", "link"], label=_("Texte"))

    class Meta:
        icon = "warning"
        label = _("Encadré")
        template = "kb/blocks/callout.html"


class ChecklistBlock(blocks.StructBlock):
    title = blocks.CharBlock(required=False, label=_("Titre"))
    items = blocks.ListBlock(blocks.CharBlock(label=_("Point")), label=_("Points à vérifier"))

    class Meta:
        icon = "tick"
        label = _("Liste de vérification")
        template = "kb/blocks/checklist.html"


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Étape"))
    text = blocks.RichTextBlock(
        features=["bold", "italic", "link"], required=False, label=_("Détail")
    )


class StepsBlock(blocks.StructBlock):
    title = blocks.CharBlock(required=False, label=_("Titre"))
    steps = blocks.ListBlock(StepBlock(), label=_("Étapes"))

    class Meta:
        icon = "list-ol"
        label = _("Étapes numérotées")
        template = "kb/blocks/steps.html"


class QuestionAnswerBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"))
    answer = blocks.RichTextBlock(
        features=["bold", "italic", "ol", "ul", "link"], label=_("Réponse")
    )


class FaqBlock(blocks.StructBlock):
    title = blocks.CharBlock(required=False, label=_("Titre"))
    items = blocks.ListBlock(QuestionAnswerBlock(), label=_("Questions"))

    class Meta:
        icon = "help"
        label = _("Questions – réponses")
        template = "kb/blocks/faq.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    label = blocks.CharBlock(required=False, label=_("Libellé (sinon le titre du document)"))

    class Meta:
        icon = "doc-full"
        label = _("Document à télécharger")
        template = "kb/blocks/document.html"


class TestimonyBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Témoignage"))
    establishment = SnippetChooserBlock("accounts.Establishment", label=_("Établissement"))
    author_role = blocks.CharBlock(required=False, label=_("Fonction de la personne citée"))

    class Meta:
        icon = "openquote"
        label = _("Témoignage d'établissement")
        template = "kb/blocks/testimony.html"


class RegulatorySourceValue(blocks.StructValue):
    def issuer_label(self):
        choices = dict(self.block.child_blocks["issuer"].field.choices)
        return choices.get(self.get("issuer"), self.get("issuer"))


class RegulatorySourceBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre du texte"))
    issuer = blocks.ChoiceBlock(
        choices=[
            ("cnil", "CNIL"),
            ("anssi", "ANSSI / CERT-FR"),
            ("ministere", _("Ministère")),
            ("france-universites", "France Universités"),
            ("dnum", "DNUM"),
            ("legifrance", "Légifrance"),
            ("autre", _("Autre")),
        ],
        label=_("Émetteur"),
    )
    url = blocks.URLBlock(label=_("Lien"))
    reference = blocks.CharBlock(
        required=False,
        max_length=200,
        label=_("Référence"),
        help_text=_(
            "Identifiant du texte, pour relier les actualités qui le citent : "
            "CERTFR-2026-AVI-0123, identifiant d'un référentiel de la CNIL, d'un guide de "
            "l'ANSSI. Sans référence, le lien sert de clé."
        ),
    )
    date = blocks.DateBlock(required=False, label=_("Date"))

    class Meta:
        icon = "link"
        label = _("Source réglementaire")
        value_class = RegulatorySourceValue
        template = "kb/blocks/regulatory_source.html"


class GuideStreamBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Texte"))
    callout = CalloutBlock()
    checklist = ChecklistBlock()
    steps = StepsBlock()
    faq = FaqBlock()
    document = DocumentBlock()
    testimony = TestimonyBlock()
    regulatory_source = RegulatorySourceBlock()
    table = TableBlock(
        label=_("Tableau"),
        table_options={"startRows": 3, "startCols": 3},
        template="kb/blocks/table.html",
    )

    class Meta:
        block_counts = {}
