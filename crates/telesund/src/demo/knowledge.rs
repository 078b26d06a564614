//! Demo knowledge base: for each model in the demo catalogue an easy-read Danish guide for
//! citizens (short sentences, one step a line), a few in English, two internal
//! troubleshooting articles for the agents, reply templates, and one draft. Everything is
//! written through `save_article` and `add_article_image`, so the demo holds only what the
//! editor could have made. Guides give no clinical advice: that is the care team's.

use telesund_core::equipment::catalogue::{DeviceRole, Model};
use telesund_core::identity::Language;
use telesund_core::ids::ModelId;
use telesund_core::servicedesk::case::Category;
use telesund_core::servicedesk::kb::{
    ArticleInput, ArticleKind, ArticleStatus, Audience, picture_line,
};
use telesund_db::{AccessCtx, Db};

/// A drawing of a blood pressure monitor seen from the front (96 × 72 pixels).
const MONITOR_PNG: &[u8] = include_bytes!("blodtryksmaaler.png");
const MONITOR_ALT: &str =
    "Blodtryksmåleren set forfra: displayet øverst og den blå START-knap nederst";

struct Models {
    tablet: Vec<ModelId>,
    bp: Vec<ModelId>,
    scale: Vec<ModelId>,
    glucose: Vec<ModelId>,
    oximeter: Vec<ModelId>,
}

fn of_role(models: &[Model], role: DeviceRole) -> Vec<ModelId> {
    models
        .iter()
        .filter(|m| m.role == role)
        .map(|m| m.id)
        .collect()
}

fn published(
    kind: ArticleKind,
    language: Language,
    audience: Audience,
    category: Option<Category>,
    title: &str,
    body: &str,
    models: &[ModelId],
) -> ArticleInput {
    ArticleInput {
        kind,
        language,
        audience,
        category,
        title: title.into(),
        body: body.into(),
        status: ArticleStatus::Published,
        models: models.to_vec(),
    }
}

/// A published public guide in Danish.
fn guide(category: Category, title: &str, body: &str, models: &[ModelId]) -> ArticleInput {
    published(
        ArticleKind::Guide,
        Language::Danish,
        Audience::Public,
        Some(category),
        title,
        body,
        models,
    )
}

/// A reply template (always internal).
fn reply(category: Category, title: &str, body: &str) -> ArticleInput {
    published(
        ArticleKind::ReplyTemplate,
        Language::Danish,
        Audience::Internal,
        Some(category),
        title,
        body,
        &[],
    )
}

pub async fn load(db: &Db, ctx: &AccessCtx) -> anyhow::Result<()> {
    let all = db.models().await?;
    let m = Models {
        tablet: of_role(&all, DeviceRole::Tablet),
        bp: of_role(&all, DeviceRole::BloodPressureMonitor),
        scale: of_role(&all, DeviceRole::Scale),
        glucose: of_role(&all, DeviceRole::GlucoseMeter),
        oximeter: of_role(&all, DeviceRole::PulseOximeter),
    };
    use Category::*;

    // The blood pressure guide gets its picture: the article first, then the picture, then
    // the body that shows it (a body may show only its own article's pictures).
    let bp_steps = [
        "Sæt dig godt på en stol.",
        "Sid stille i 5 minutter før du måler.",
        "",
        "1. Tag manchetten på din bare overarm.",
        "   Slangen skal pege ned mod din hånd.",
        "2. Læg armen på bordet.",
        "   Manchetten skal være i højde med dit hjerte.",
        "3. Tryk på den blå START-knap.",
    ];
    let bp_end = [
        "4. Sid stille og tal ikke, mens manchetten pumper.",
        "5. Vent til måleren bipper.",
        "   Tallene står nu på displayet.",
        "6. Tabletten sender tallene selv.",
        "   Du kan se dem under Mine målinger.",
        "",
        "Virker det ikke?",
        "Ring til servicecentret.",
    ];
    let mut bp_guide = guide(
        MeasurementHelp,
        "Sådan måler du dit blodtryk",
        &[&bp_steps[..], &bp_end[..]].concat().join("\n"),
        &m.bp,
    );
    let saved = db.save_article(ctx, None, bp_guide.clone()).await?;
    let picture = db
        .add_article_image(ctx, saved.id, "image/png", MONITOR_ALT, MONITOR_PNG)
        .await?;
    bp_guide.body = [
        bp_steps.join("\n"),
        picture_line(picture, MONITOR_ALT),
        bp_end.join("\n"),
    ]
    .join("\n");
    db.save_article(ctx, Some(saved.id), bp_guide).await?;

    let articles = [
        guide(
            EquipmentFault,
            "Blodtryksmåleren sender ikke data",
            "Dine tal kommer ikke frem i Telesund.\nPrøv det her:\n\n\
             1. Se efter, at tabletten er tændt.\n\
             2. Læg måleren tæt på tabletten.\n   Højst 1 meter væk.\n\
             3. Mål igen.\n\
             4. Vent 2 minutter.\n\
             5. Se under Mine målinger.\n\n\
             Står displayet tomt?\nSå skal batterierne måske skiftes.\n\n\
             Kommer tallene stadig ikke?\nRing til servicecentret.\nSkriv dine tal på et papir imens.",
            &m.bp,
        ),
        guide(
            MeasurementHelp,
            "Sådan vejer du dig",
            "Vej dig om morgenen.\nGør det før du spiser.\nHav det samme tøj på hver gang.\n\n\
             1. Stil vægten på et hårdt gulv.\n   Ikke på et tæppe.\n\
             2. Træd op på vægten med bare fødder.\n\
             3. Stå stille.\n\
             4. Vent til tallet blinker.\n\
             5. Træd ned.\n   Tabletten sender vægten selv.",
            &m.scale,
        ),
        guide(
            EquipmentFault,
            "Vægten viser ingenting",
            "1. Træd fast på vægten.\n   Den tænder, når du står på den.\n\
             2. Viser den stadig ingenting?\n   Skift de 4 batterier under vægten.\n\
             3. Virker den stadig ikke?\n   Ring til servicecentret.",
            &m.scale,
        ),
        guide(
            MeasurementHelp,
            "Sådan måler du dit blodsukker",
            "Vask dine hænder med varmt vand.\nTør dem godt.\n\n\
             1. Sæt en ny teststrimmel i måleren.\n\
             2. Stik i siden af en finger.\n\
             3. Hold bloddråben mod strimlen.\n\
             4. Vent til tallet kommer frem.\n\
             5. Smid strimlen og nålen i affald.\n\n\
             Tabletten henter tallet fra måleren.",
            &m.glucose,
        ),
        guide(
            MeasurementHelp,
            "Sådan måler du iltmætning og puls",
            "Dine hænder skal være varme.\nNeglelak kan give forkerte tal.\n\n\
             1. Sæt klemmen på en finger.\n\
             2. Hold hånden stille.\n\
             3. Vent til tallene står stille.\n   Det tager cirka 30 sekunder.\n\
             4. Tag klemmen af.\n   Tabletten sender tallene selv.",
            &m.oximeter,
        ),
        guide(
            EquipmentFault,
            "Tabletten starter ikke",
            "1. Sæt tabletten i opladeren.\n\
             2. Vent 15 minutter.\n\
             3. Hold tænd-knappen inde i 10 sekunder.\n   Knappen sidder på siden.\n\
             4. Starter den stadig ikke?\n   Ring til servicecentret.",
            &m.tablet,
        ),
        guide(
            LoginAccess,
            "Jeg kan ikke logge ind på tabletten",
            "Har du glemt din kode?\nRing til servicecentret.\nVi hjælper dig med en ny kode.\n\n\
             Vi spørger aldrig efter din kode i telefonen.",
            &m.tablet,
        ),
        published(
            ArticleKind::Guide,
            Language::English,
            Audience::Public,
            Some(MeasurementHelp),
            "How to measure your blood pressure",
            "Sit on a chair.\nRest for 5 minutes before you measure.\n\n\
             1. Put the cuff on your bare upper arm.\n\
             2. Rest your arm on the table.\n   The cuff should be level with your heart.\n\
             3. Press the blue START button.\n\
             4. Sit still and do not talk.\n\
             5. Wait for the beep.\n   The tablet sends the numbers for you.",
            &m.bp,
        ),
        published(
            ArticleKind::Guide,
            Language::English,
            Audience::Public,
            Some(MeasurementHelp),
            "How to weigh yourself",
            "Weigh yourself in the morning, before breakfast.\n\n\
             1. Put the scale on a hard floor.\n\
             2. Step on with bare feet.\n\
             3. Stand still until the number blinks.\n\
             4. Step off. The tablet sends your weight.",
            &m.scale,
        ),
        published(
            ArticleKind::Guide,
            Language::English,
            Audience::Public,
            Some(EquipmentFault),
            "The tablet does not start",
            "1. Plug the tablet into its charger.\n\
             2. Wait 15 minutes.\n\
             3. Hold the power button for 10 seconds.\n\
             4. Still nothing? Call the service centre.",
            &m.tablet,
        ),
        published(
            ArticleKind::Guide,
            Language::Danish,
            Audience::Internal,
            Some(EquipmentFault),
            "Fejlsøgning: måleren er parret, men der kommer ingen data",
            "Se først på opkaldsskærmen, hvornår enheden sidst sendte data.\n\n\
             1. Bed borgeren måle, mens du venter i telefonen.\n\
             2. Kommer målingen ikke inden 2 minutter: bed borgeren genstarte tabletten.\n\
             3. Tjek i Telesund-appen under Enheder, at måleren står som parret.\n\
             4. Står den ikke der: par måleren igen (hold Bluetooth-knappen inde i 5 sekunder).\n\
             5. Kommer der stadig ingen data: opret sag med kategorien udstyrsfejl og tilbyd ombytning.\n\n\
             Giv aldrig råd om selve måleværdierne. Spørger borgeren om sine tal, sendes sagen videre til plejeteamet.",
            &[&m.bp[..], &m.scale[..], &m.glucose[..], &m.oximeter[..]].concat(),
        ),
        published(
            ArticleKind::Guide,
            Language::Danish,
            Audience::Internal,
            Some(EquipmentFault),
            "Ombytning af blodtryksmåler: tjekliste",
            "1. Bekræft fejlen: manchetten pumper ikke, eller displayet viser fejlkode E1-E5.\n\
             2. Opret ombytning fra sagen. Det danner REPLACE-ordren og besøget.\n\
             3. Aftal tidspunkt og dørkode med borgeren.\n\
             4. Den defekte måler sendes til reparation ved afhentning.\n\
             5. Luk sagen, når den nye måler har sendt første måling.\n\n\
             Omron M7 udfases: tilbyd A&D UA-651BLE som erstatning.",
            &m.bp,
        ),
        reply(
            EquipmentFault,
            "Vi sender en ny måler",
            "Kære borger\n\nTak for din henvendelse.\n\
             Din måler virker ikke, som den skal.\n\
             Vi sender en ny måler til dig.\n\
             En tekniker ringer og aftaler tid med dig.\n\n\
             Mål som du plejer, indtil den nye måler kommer.\n\
             Kan du ikke måle, så ring til os.\n\n\
             Venlig hilsen\nServicecentret",
        ),
        reply(
            DeliveryPickup,
            "En tekniker kommer på besøg",
            "Kære borger\n\nEn tekniker kommer hjem til dig den [dato] mellem [tidsrum].\n\
             Teknikeren har billed-id med.\n\
             Er tidspunktet ikke godt for dig? Så ring til os.\n\n\
             Venlig hilsen\nServicecentret",
        ),
        reply(
            LoginAccess,
            "Ny kode til Telesund",
            "Kære borger\n\nDu har fået en ny kode til Telesund.\n\
             Koden kommer i en sms.\nVælg din egen kode, første gang du logger ind.\n\n\
             Vi spørger aldrig efter din kode.\n\n\
             Venlig hilsen\nServicecentret",
        ),
        reply(
            Other,
            "Vi har modtaget din henvendelse",
            "Kære borger\n\nTak for din henvendelse. Vi har modtaget den.\n\
             Vi svarer dig inden for 1 arbejdsdag.\n\n\
             Venlig hilsen\nServicecentret",
        ),
        ArticleInput {
            status: ArticleStatus::Draft,
            ..guide(
                EquipmentFault,
                "Sådan skifter du batterier i vægten",
                "1. Vend vægten forsigtigt om.\n2. Åbn lågen til batterierne.\n3. Sæt 4 nye AAA-batterier i.",
                &m.scale,
            )
        },
    ];
    for a in articles {
        db.save_article(ctx, None, a).await?;
    }
    Ok(())
}
