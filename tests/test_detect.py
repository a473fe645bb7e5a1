"""Rules of feeds.detect.classify, one table per behaviour, headlines written for these tests."""

from __future__ import annotations

import pytest

from feeds.detect import classify
from feeds.model import Level, Pair


def pairs_of(*names: tuple[str, str]) -> set[Pair]:
    return {Pair(a, b) for a, b in names}


def check(title: str, summary: str, lang: str | None, level: Level, pairs: set[Pair]) -> None:
    found = classify(title, summary, lang)
    assert (found.level, set(found.pairs)) == (level, pairs), found


@pytest.mark.parametrize(
    ("title", "lang", "pairs"),
    [
        (
            "Ukraine accuses Russia of violating Easter ceasefire with drone attacks",
            "en",
            pairs_of(("Ukraine", "Russia")),
        ),
        (
            "Israel says Hezbollah fired rockets in breach of Lebanon truce",
            "en",
            pairs_of(("Israel", "Hezbollah")),
        ),
        (
            "Azerbaijan blames Armenia for ceasefire violation on border",
            "en",
            pairs_of(("Azerbaijan", "Armenia")),
        ),
        ("Kyiv says Moscow broke energy truce", "en", pairs_of(("Ukraine", "Russia"))),
        (
            "Украина обвинила Россию в нарушении пасхального перемирия",
            "ru",
            pairs_of(("Ukraine", "Russia")),
        ),
        (
            "Україна звинуватила Росію в порушенні енергетичного перемир'я",
            "uk",
            pairs_of(("Ukraine", "Russia")),
        ),
        (
            "La Thaïlande accuse le Cambodge d'avoir enfreint le cessez-le-feu",
            "fr",
            pairs_of(("Thailand", "Cambodia")),
        ),
        (
            "Rusia acusa a Ucrania de violar la tregua energética",
            "es",
            pairs_of(("Russia", "Ukraine")),
        ),
        (
            "Russland wirft der Ukraine Verstöße gegen die Waffenruhe vor",
            "de",
            pairs_of(("Russia", "Ukraine")),
        ),
        ("إسرائيل تتهم حزب الله بخرق وقف إطلاق النار", "ar", pairs_of(("Israel", "Hezbollah"))),
        (
            "Rusya, Ukrayna'yı ateşkesi ihlal etmekle suçladı",
            "tr",
            pairs_of(("Russia", "Ukraine")),
        ),
    ],
)
def test_accuser_is_the_subject_and_accused_the_object(title, lang, pairs):
    """The party that accuses, blames or says comes first; the one that fired comes second."""
    check(title, "", lang, Level.BLAME, pairs)


@pytest.mark.parametrize(
    ("title", "lang", "pairs"),
    [
        (
            "Houthi fighters accused of breaking truce by Saudi-led coalition",
            "en",
            pairs_of(("Saudi Arabia", "Houthis")),
        ),
        (
            "Ceasefire violated: Pakistan accused by India of shelling villages along LoC",
            "en",
            pairs_of(("India", "Pakistan")),
        ),
    ],
)
def test_passive_voice_swaps_the_order(title, lang, pairs):
    """ "Y accused of ... by X" still gives X -> Y."""
    check(title, "", lang, Level.BLAME, pairs)


@pytest.mark.parametrize(
    ("title", "lang", "pairs"),
    [
        (
            "Hamas denies breaching Gaza ceasefire, blames Israel for deadly strikes",
            "en",
            pairs_of(("Hamas", "Israel")),
        ),
        (
            "Baku rejects claims it broke the truce and blames Yerevan for the shelling",
            "en",
            pairs_of(("Azerbaijan", "Armenia")),
        ),
    ],
)
def test_denial_that_blames_someone_else(title, lang, pairs):
    """ "X denies breaching the truce, blames Y": X -> Y, never Y -> X."""
    check(title, "", lang, Level.BLAME, pairs)


@pytest.mark.parametrize(
    ("title", "summary", "lang", "pairs"),
    [
        (
            "Truce frays on the Line of Control",
            "India's army said Pakistani troops opened fire on forward posts in violation of the "
            "ceasefire understanding.",
            "en",
            pairs_of(("India", "Pakistan")),
        ),
        (
            "Перемирие под угрозой",
            "Министерство обороны России заявило, что украинские военные обстреляли позиции в "
            "нарушение режима прекращения огня.",
            "ru",
            pairs_of(("Russia", "Ukraine")),
        ),
        (
            "Tensions à la frontière",
            "L'armée thaïlandaise affirme que des soldats cambodgiens ont ouvert le feu malgré le "
            "cessez-le-feu.",
            "fr",
            pairs_of(("Thailand", "Cambodia")),
        ),
    ],
)
def test_demonyms_and_accusations_in_the_summary(title, summary, lang, pairs):
    """Demonyms ("Pakistani troops") map to states; the accusation may be in the summary only."""
    check(title, summary, lang, Level.BLAME, pairs)


@pytest.mark.parametrize(
    ("title", "summary", "lang", "pairs"),
    [
        (
            "Gaza truce under strain",
            "Israel's military said Hamas gunmen attacked troops in Rafah, breaching the "
            "ceasefire. Hamas denied the claim and accused Israel of killing civilians in breach "
            "of the deal.",
            "en",
            pairs_of(("Israel", "Hamas"), ("Hamas", "Israel")),
        ),
        (
            "Le Liban accuse Israël et le Hezbollah dénonce des violations du cessez-le-feu",
            "Le Hezbollah accuse Israël d'avoir violé la trêve à plusieurs reprises.",
            "fr",
            pairs_of(("Lebanon", "Israel"), ("Hezbollah", "Israel")),
        ),
    ],
)
def test_two_accusations_in_one_item(title, summary, lang, pairs):
    """Each accusation in the item adds its own pair."""
    check(title, summary, lang, Level.BLAME, pairs)


@pytest.mark.parametrize(
    ("title", "lang", "pairs"),
    [
        (
            "Thailand and Cambodia accuse each other of violating border ceasefire",
            "en",
            pairs_of(("Thailand", "Cambodia"), ("Cambodia", "Thailand")),
        ),
        (
            "Sudan army and RSF trade blame as Jeddah truce collapses",
            "en",
            pairs_of(("Sudan", "Rapid Support Forces"), ("Rapid Support Forces", "Sudan")),
        ),
        (
            "Азербайджан и Армения обвинили друг друга в нарушении перемирия",
            "ru",
            pairs_of(("Azerbaijan", "Armenia"), ("Armenia", "Azerbaijan")),
        ),
        (
            "Le Hamas et Israël s'accusent mutuellement de violer la trêve",
            "fr",
            pairs_of(("Hamas", "Israel"), ("Israel", "Hamas")),
        ),
        (
            "Israel und Hamas werfen sich gegenseitig Bruch der Waffenruhe vor",
            "de",
            pairs_of(("Israel", "Hamas"), ("Hamas", "Israel")),
        ),
        (
            "Azerbaycan ve Ermenistan birbirini ateşkesi ihlal etmekle suçladı",
            "tr",
            pairs_of(("Azerbaijan", "Armenia"), ("Armenia", "Azerbaijan")),
        ),
    ],
)
def test_mutual_accusations_give_both_directions(title, lang, pairs):
    """ "X and Y accuse each other" is two pairs, one each way."""
    check(title, "", lang, Level.BLAME, pairs)


@pytest.mark.parametrize(
    ("title", "summary", "lang"),
    [
        (
            "Monitor says government forces shelled Daraa despite truce",
            "A Britain-based war monitor, SOHR, reported that army guns struck two towns in the "
            "south within hours of the ceasefire.",
            "en",
        ),
        ("UN observers record 40 ceasefire violations along the Line of Control", "", "en"),
        ("Fighting rages in Tripoli despite new truce", "", "en"),
        ("Clashes erupt hours after Yemen ceasefire takes effect", "", "en"),
        ("Syria: Turkish drone kills three despite ceasefire", "", "en"),
        ("Truce shattered as militants attack army post", "", "en"),
        ("Des combats malgré le cessez-le-feu au Soudan", "", "fr"),
        ("Kämpfe trotz Waffenruhe im Sudan", "", "de"),
        ("اشتباكات في طرابلس رغم وقف إطلاق النار", "", "ar"),
        ("Lübnan'da ateşkese rağmen İsrail saldırıları sürüyor", "", "tr"),
        (
            "Перемир'я набуло чинності, проте вже за годину бойовики відкрили вогонь по позиціях",
            "",
            "uk",
        ),
    ],
)
def test_breach_without_a_named_accuser_is_a_violation(title, summary, lang):
    """Monitors, the outlet's own framing and vague culprits ("militants") give no pair."""
    check(title, summary, lang, Level.VIOLATION, set())


@pytest.mark.parametrize(
    ("title", "summary", "lang"),
    [
        ("Ethiopia and Eritrea agree ceasefire after border war", "", "en"),
        ("Ceasefire holds in Gaza for second day", "", "en"),
        ("Artillery fire returns an hour after the three-day truce expires", "", "en"),
        ("Monitors to log any ceasefire violations once the truce begins on Monday", "", "en"),
        ("Штаб: за минувшие сутки нарушений режима тишины не зафиксировано", "", "ru"),
        ("El Gobierno y la guerrilla pactan un alto el fuego de seis meses", "", "es"),
        ("وقف إطلاق النار يدخل حيز التنفيذ في غزة", "", "ar"),
    ],
)
def test_truce_news_without_a_breach_is_ceasefire(title, summary, lang):
    """Agreed, holding, expired or merely monitored truces are ceasefire news."""
    check(title, summary, lang, Level.CEASEFIRE, set())


@pytest.mark.parametrize(
    ("title", "lang"),
    [
        ("Brussels and Washington agree six-month truce in steel tariff dispute", "en"),
        ("Rival fans agree truce before cup final", "en"),
        ("Streaming giants call a truce in their price war", "en"),
        ("Tregua comercial entre Estados Unidos y China", "es"),
        ("Waffenstillstand im Handelsstreit zwischen Brüssel und Peking", "de"),
        ("La trêve des confiseurs commence à l'Assemblée", "fr"),
    ],
)
def test_metaphorical_truces_are_not_news(title, lang):
    """Trade-war, fan and political "truces" are not about an armed conflict."""
    check(title, "", lang, Level.NONE, set())


@pytest.mark.parametrize(
    ("title", "lang"),
    [
        ("Russia accused of violating Estonian airspace", "en"),
        ("Iran accused of violating nuclear deal by European powers", "en"),
        ("Club charged with breaching league spending rules", "en"),
        ("UN report lists human rights violations by the junta", "en"),
        ("Rus insansız hava aracı Polonya hava sahasını ihlal etti", "tr"),
        ("Kyiv accuses Moscow of war crimes after missile strike on hospital", "en"),
    ],
)
def test_violations_in_other_senses_are_not_breaches(title, lang):
    """Airspace, sanctions, rules or rights "violations" and war crimes need a truce to count."""
    check(title, "", lang, Level.NONE, set())


@pytest.mark.parametrize(
    "title",
    [
        "Nations mark centenary of 1918 armistice",
        "Veterans gather for 70th anniversary of the 1953 armistice",
    ],
)
def test_anniversaries_of_old_truces_are_not_news(title):
    """A truce that ended generations ago is history, not ceasefire news."""
    check(title, "", "en", Level.NONE, set())


def test_feed_language_tag_that_contradicts_the_script_is_ignored():
    """A Russian headline tagged "en" by its feed is still read with the Russian lexicon."""
    check(
        "Украина обвинила Россию в нарушении перемирия",
        "",
        "en",
        Level.BLAME,
        pairs_of(("Ukraine", "Russia")),
    )


def test_html_summary_is_read_as_text():
    """Markup and entities in the summary neither hide nor invent an accusation."""
    found = classify(
        "Truce wobbles in the south",
        "<p>Sudan&#39;s army said <b>RSF</b> fighters shelled villages in breach of the "
        "ceasefire.</p>",
        "en",
    )
    assert found.pairs == (Pair("Sudan", "Rapid Support Forces"),)
    assert "<" not in found.evidence
    assert "&#39;" not in found.summary


def test_detection_carries_evidence_terms_summary_and_actors():
    """Evidence is the accusing sentence; matched terms, summary and actors come with it."""
    summary = (
        "Officials met in Geneva on Monday. Kyrgyzstan's border service said Tajik troops fired "
        "mortars across the border, breaking the ceasefire agreed last week. Talks resume on "
        "Friday."
    )
    found = classify("Border truce tested", summary, "en")
    assert found.level is Level.BLAME
    assert found.evidence.startswith("Kyrgyzstan's border service said Tajik troops")
    assert found.evidence in found.summary
    assert len(found.summary) <= 300
    assert "ceasefire" in found.matched
    assert {"Kyrgyzstan", "Tajikistan"} <= set(found.actors)


def test_unrelated_item_is_none_with_empty_fields():
    """An item with no truce has level none, no pairs and no evidence."""
    found = classify("Central bank raises interest rates", "Markets fell on the news.", "en")
    assert (found.level, found.pairs, found.evidence) == (Level.NONE, (), "")


def test_classify_is_deterministic():
    """The same input always gives the same Detection."""
    args = ("Azerbaijan says Armenia broke the truce", "Mortar rounds landed near Tovuz.", "en")
    assert classify(*args) == classify(*args)


# --- generalisation: frames and words found missing on unseen items (fresh sentences) --------


@pytest.mark.parametrize(
    ("title", "summary", "lang", "pairs"),
    [
        # A broker named near a mutual-blame phrase is not one of the parties.
        (
            "Bishkek and Dushanbe trade blame as Russian-brokered border truce wobbles",
            "",
            "en",
            pairs_of(("Kyrgyzstan", "Tajikistan"), ("Tajikistan", "Kyrgyzstan")),
        ),
        (
            "Khartoum and the RSF trade blame as US-brokered truce frays",
            "",
            "en",
            pairs_of(("Sudan", "Rapid Support Forces"), ("Rapid Support Forces", "Sudan")),
        ),
        # "The government/army" in a mutual phrase is the state the named group fights.
        (
            "El Gobierno y el ELN se acusan de incumplir el cese al fuego",
            "",
            "es",
            pairs_of(("Colombia", "ELN"), ("ELN", "Colombia")),
        ),
        (
            "Army, NPA trade blame over clash despite holiday truce",
            "",
            "en",
            pairs_of(("Philippines", "New People's Army"), ("New People's Army", "Philippines")),
        ),
        (
            "Yemen: el Gobierno y los hutíes se culpan mutuamente de romper la tregua",
            "",
            "es",
            pairs_of(("Yemen", "Houthis"), ("Houthis", "Yemen")),
        ),
    ],
)
def test_mutual_blame_parties_are_the_subjects(title, summary, lang, pairs):
    check(title, summary, lang, Level.BLAME, pairs)


@pytest.mark.parametrize(
    ("title", "summary", "lang", "pairs"),
    [
        # Coordinated speakers and coordinated culprits each make a pair.
        (
            "Qatar and Egypt said both Israel and Hamas had violated the truce",
            "",
            "en",
            pairs_of(
                ("Qatar", "Israel"), ("Qatar", "Hamas"), ("Egypt", "Israel"), ("Egypt", "Hamas")
            ),
        ),
        (
            "Turkey and Russia said the SDF and the YPG broke the ceasefire",
            "",
            "en",
            pairs_of(
                ("Turkey", "Syrian Democratic Forces"),
                ("Turkey", "YPG"),
                ("Russia", "Syrian Democratic Forces"),
                ("Russia", "YPG"),
            ),
        ),
        # A participle after a comma keeps the main clause's speaker.
        (
            "Ukraine said Russia had violated the energy truce, citing strikes by Russian drones "
            "on a power plant",
            "",
            "en",
            pairs_of(("Ukraine", "Russia")),
        ),
        # A vague culprit joined by "and" to a named one still names that one.
        (
            "ЗСУ: терористи та російські війська порушили режим тиші",
            "",
            "uk",
            pairs_of(("Ukraine", "Russia")),
        ),
        (
            "Kyiv said militants and Russian troops broke the truce overnight",
            "",
            "en",
            pairs_of(("Ukraine", "Russia")),
        ),
    ],
)
def test_coordinated_speakers_and_culprits(title, summary, lang, pairs):
    check(title, summary, lang, Level.BLAME, pairs)


@pytest.mark.parametrize(
    ("title", "summary", "lang", "pairs"),
    [
        # "The army" means the state the item's armed group fights, even when it is not named.
        (
            "El Clan del Golfo acusa al Ejército de incumplir la tregua en Antioquia",
            "",
            "es",
            pairs_of(("Clan del Golfo", "Colombia")),
        ),
        (
            "M23 accuses army of breaking truce near Goma",
            "",
            "en",
            pairs_of(("M23", "Democratic Republic of the Congo")),
        ),
        (
            "Le FLA accuse l'armée et Wagner de violer la trêve près de Tinzaouaten",
            "",
            "fr",
            pairs_of(
                ("Azawad Liberation Front", "Mali"), ("Azawad Liberation Front", "Wagner Group")
            ),
        ),
        (
            "Armee wirft Rebellen Bruch der Waffenruhe vor",
            "Die kongolesische Armee beschuldigt die M23, trotz der Waffenruhe Dörfer "
            "angegriffen zu haben.",
            "de",
            pairs_of(("Democratic Republic of the Congo", "M23")),
        ),
        # Headline colon with a generic culprit.
        (
            "الهيئة العليا للمفاوضات: قوات النظام خرقت الهدنة في ريف حماة",
            "",
            "ar",
            pairs_of(("High Negotiations Committee", "Syria")),
        ),
    ],
)
def test_generic_forces_resolve_through_the_named_group(title, summary, lang, pairs):
    check(title, summary, lang, Level.BLAME, pairs)


@pytest.mark.parametrize(
    ("title", "summary", "lang", "pairs"),
    [
        # "The rebels said" is the item's one group, never the previous speaker.
        (
            "Colombian army says ELN broke the truce",
            "The army said ELN fighters attacked a base in Arauca despite the ceasefire. The "
            "rebel group said the army had bombed its camps first.",
            "en",
            pairs_of(("Colombia", "ELN"), ("ELN", "Colombia")),
        ),
        # With two armed groups named, "the rebels" is nobody in particular.
        (
            "Colombian army says ELN broke the truce",
            "The army said ELN and Clan del Golfo fighters attacked a base in Arauca despite the "
            "ceasefire. The rebels said the army had bombed their camps first.",
            "en",
            pairs_of(("Colombia", "ELN"), ("Colombia", "Clan del Golfo")),
        ),
        # Cleft sentences: "it was X who broke the truce".
        (
            "L'Arménie accuse l'Azerbaïdjan de violer le cessez-le-feu",
            "L'Azerbaïdjan répond que ce sont les tirs de l'Arménie qui ont rompu la trêve.",
            "fr",
            pairs_of(("Armenia", "Azerbaijan"), ("Azerbaijan", "Armenia")),
        ),
        # Arabic verb first: the name after the verb speaks, not the headline's party.
        (
            "الدعم السريع: الجيش خرق الهدنة",
            "أعلن الجيش السوداني أن قوات الدعم السريع هاجمت مواقعه في الفاشر في انتهاك للهدنة.",
            "ar",
            pairs_of(("Rapid Support Forces", "Sudan"), ("Sudan", "Rapid Support Forces")),
        ),
        # A body after a locative is where the speaker sits.
        (
            "",
            "Представительство ДНР в СЦКК сообщило, что ВСУ обстреляли Горловку несмотря на "
            "перемирие.",
            "ru",
            pairs_of(("Donetsk People's Republic", "Ukraine")),
        ),
    ],
)
def test_speakers_named_indirectly(title, summary, lang, pairs):
    check(title, summary, lang, Level.BLAME, pairs)


@pytest.mark.parametrize(
    ("title", "summary", "lang", "pairs"),
    [
        # "X denies ..., says Y violated": the name after "says" is reported content.
        (
            "Cambodia denies shelling first, says Thailand broke ceasefire",
            "",
            "en",
            pairs_of(("Cambodia", "Thailand")),
        ),
        (
            "India denies firing, says Pakistan violated LoC truce",
            "",
            "en",
            pairs_of(("India", "Pakistan")),
        ),
        # Passive with a possessive subject.
        (
            "Israel's army blamed by Hamas for shelling Gaza during truce",
            "",
            "en",
            pairs_of(("Hamas", "Israel")),
        ),
        # Verbs and leaders added from unseen wording.
        (
            "Poroshenko: Russian troops trampling the ceasefire near Mariupol",
            "",
            "en",
            pairs_of(("Ukraine", "Russia")),
        ),
        (
            "Kyiv says Russian troops stormed Avdiivka despite the truce",
            "",
            "en",
            pairs_of(("Ukraine", "Russia")),
        ),
        (
            "РНБО: за добу російська армія 15 разів порушила перемир'я",
            "",
            "uk",
            pairs_of(("Ukraine", "Russia")),
        ),
    ],
)
def test_denials_passives_and_new_verbs(title, summary, lang, pairs):
    check(title, summary, lang, Level.BLAME, pairs)


@pytest.mark.parametrize(
    ("title", "summary", "lang", "level"),
    [
        # A truce that has not begun yet: strikes "after" it was agreed are not a breach.
        (
            "Saudi jets bomb Sanaa hours before truce begins",
            "Air strikes hit the capital after the coalition announced a ceasefire due to take "
            "effect at midnight.",
            "en",
            Level.CEASEFIRE,
        ),
        (
            "Russia pounds Kharkiv ahead of Easter truce",
            "Missiles struck the city after Moscow announced a truce set to begin at 6 p.m.",
            "en",
            Level.CEASEFIRE,
        ),
        # Monitoring "against violations" in Turkish (verb last) is not a breach.
        (
            "Ermenistan ve Azerbaycan ateşkesin korunmasında uzlaştı",
            "Taraflar ihlallere karşı ortak bir izleme mekanizması kurulmasını kabul etti.",
            "tr",
            Level.CEASEFIRE,
        ),
        # Talks about a truce collapsing are not a truce collapsing.
        ("Ceasefire talks with the Taliban collapse in Doha", "", "en", Level.CEASEFIRE),
        ("Gaza truce negotiations fail again, mediators say", "", "en", Level.CEASEFIRE),
        # New ways of saying truce and breach.
        (
            "Armenia and Azerbaijan agree to halt all hostile acts on border",
            "",
            "en",
            Level.CEASEFIRE,
        ),
        ("Жители услышали автоматные очереди несмотря на перемирие", "", "ru", Level.VIOLATION),
        ("Мешканці чули перестрілку попри перемир'я", "", "uk", Level.VIOLATION),
    ],
)
def test_pending_truces_talks_and_new_words(title, summary, lang, level):
    check(title, summary, lang, level, set())


@pytest.mark.parametrize(
    ("title", "summary", "lang"),
    [
        # A quoted headline truce explained by the lead as sport, politics or housing.
        (
            "Beşiktaş ve Trabzonspor arasında 'ateşkes'",
            "Kulüp başkanları derbi öncesi gerginliği azaltma kararı aldı.",
            "tr",
        ),
        (
            "«Перемирие» в Госдуме продлилось недолго",
            "Фракции снова спорят, клуб депутатов распался.",
            "ru",
        ),
        ("Політичне «перемир'я» в Раді", "Фракції домовилися не сваритися до осені.", "uk"),
        ("Trêve hivernale prolongée pour les locataires", "", "fr"),
        ("Tregua política entre el PSOE y el PP para pactar los presupuestos", "", "es"),
        ("Waffenstillstand in der Ampel", "Die Koalitionspartner vertagen den Streit.", "de"),
        ("Rail strike called off as unions agree truce with ministry", "", "en"),
        # Anniversaries: the truce is history when the headline is about the anniversary.
        (
            "Twenty years on, Aceh remembers the tsunami and the war",
            "The 2005 peace deal followed a ceasefire that had collapsed in 2003.",
            "en",
        ),
        (
            "Cyprus marks 51 years since the island's division",
            "The ceasefire line still runs through Nicosia.",
            "en",
        ),
        # "The last truce expired in ...": background under a headline about fighting.
        (
            "Fighting in Catatumbo displaces thousands",
            "The last ceasefire with the rebels expired in August.",
            "en",
        ),
    ],
)
def test_metaphors_anniversaries_and_past_truces_are_none(title, summary, lang):
    check(title, summary, lang, Level.NONE, set())


# --- generalisation, second round: attribution at the end, temporal breaches, context --------


@pytest.mark.parametrize(
    ("title", "summary", "lang", "pairs"),
    [
        # The speaker stands after the reported clause: "X broke the truce, Y says".
        (
            "Houthis broke the truce hours after it took effect, says Saudi-led coalition",
            "",
            "en",
            pairs_of(("Saudi Arabia", "Houthis")),
        ),
        (
            "Armenian troops violated the ceasefire overnight, Azerbaijan's defence ministry said",
            "",
            "en",
            pairs_of(("Azerbaijan", "Armenia")),
        ),
        (
            "Russian forces shelled Kherson despite the truce, according to Ukraine's army",
            "",
            "en",
            pairs_of(("Ukraine", "Russia")),
        ),
        (
            "« L'armée a violé la trêve », affirme le M23",
            "",
            "fr",
            pairs_of(("M23", "Democratic Republic of the Congo")),
        ),
        (
            "El ELN violó la tregua en Arauca, afirmó Petro",
            "",
            "es",
            pairs_of(("Colombia", "ELN")),
        ),
        (
            "Die Hamas hat die Waffenruhe gebrochen, sagt Netanjahu",
            "",
            "de",
            pairs_of(("Israel", "Hamas")),
        ),
        (
            "Армения нарушила перемирие, заявил Алиев",
            "",
            "ru",
            pairs_of(("Azerbaijan", "Armenia")),
        ),
        (
            "Росія порушила перемир'я, заявили в Генштабі ЗСУ",
            "",
            "uk",
            pairs_of(("Ukraine", "Russia")),
        ),
        ("الحوثيون خرقوا الهدنة، بحسب الحكومة اليمنية", "", "ar", pairs_of(("Yemen", "Houthis"))),
        # Quote first, then the leader who said it after the colon.
        (
            '"They shelled us during the truce": Pashinyan orders troops to respond',
            "Armenia's prime minister said Azerbaijani forces fired on Jermuk.",
            "en",
            pairs_of(("Armenia", "Azerbaijan")),
        ),
        (
            "«El ELN rompió el cese al fuego»: Petro ordena retomar las operaciones",
            "",
            "es",
            pairs_of(("Colombia", "ELN")),
        ),
        (
            "«Они сорвали перемирие»: Пашинян приказал ответить",
            "Армения обвинила Азербайджан в обстреле.",
            "ru",
            pairs_of(("Armenia", "Azerbaijan")),
        ),
        (
            "„Sie haben die Waffenruhe gebrochen“: Selenskyj kündigt Vergeltung an",
            "Russische Drohnen trafen Odessa.",
            "de",
            pairs_of(("Ukraine", "Russia")),
        ),
    ],
)
def test_trailing_and_quoted_attribution(title, summary, lang, pairs):
    """The accuser is the speaker at the end (or after a quote's colon), never the culprit."""
    check(title, summary, lang, Level.BLAME, pairs)


@pytest.mark.parametrize(
    ("title", "summary", "lang", "pairs"),
    [
        (
            "Hamas postpones hostage handover, citing Israeli violations",
            "The Gaza ceasefire has been in force since January.",
            "en",
            pairs_of(("Hamas", "Israel")),
        ),
        (
            "Hamas delays release of Israeli captives, citing breaches by Israel",
            "The Gaza truce began in January.",
            "en",
            pairs_of(("Hamas", "Israel")),
        ),
        (
            "Le Hamas reporte la libération des otages, accusant Israël de violations",
            "Le cessez-le-feu à Gaza est en vigueur depuis janvier.",
            "fr",
            pairs_of(("Hamas", "Israel")),
        ),
        (
            "Hamás aplaza la liberación de rehenes, acusando a Israel de violaciones",
            "El alto el fuego en Gaza rige desde enero.",
            "es",
            pairs_of(("Hamas", "Israel")),
        ),
        (
            "Sudan army halts talks, citing RSF breaches of the truce",
            "",
            "en",
            pairs_of(("Sudan", "Rapid Support Forces")),
        ),
    ],
)
def test_participle_tail_keeps_the_main_subject(title, summary, lang, pairs):
    """ ", citing/accusing ...": the subject of the main clause accuses."""
    check(title, summary, lang, Level.BLAME, pairs)


@pytest.mark.parametrize(
    ("title", "summary", "lang", "level"),
    [
        # Fighting placed during, since or "ending" a truce is a breach without the word.
        (
            "Soldier killed as militants open fire during the pause in Kashmir",
            "",
            "en",
            Level.VIOLATION,
        ),
        (
            "Clashes in Idlib mark the first flare-up since the March truce",
            "",
            "en",
            Level.VIOLATION,
        ),
        ("Premiers combats depuis la trêve de mai au Karabakh", "", "fr", Level.VIOLATION),
        (
            "Combates en el Catatumbo, los primeros desde la tregua de Navidad",
            "",
            "es",
            Level.VIOLATION,
        ),
        ("Erste Gefechte seit der Waffenruhe im Mai", "", "de", Level.VIOLATION),
        ("اشتباكات هي الأولى منذ الهدنة في الفاشر", "", "ar", Level.VIOLATION),
        (
            "Вперше від початку режиму тиші на фронті загинув український боєць",
            "",
            "uk",
            Level.VIOLATION,
        ),
        ("Впервые с начала перемирия погиб российский военный", "", "ru", Level.VIOLATION),
        (
            "Artillery duels resume in Karabakh, ending three months of calm",
            "",
            "en",
            Level.VIOLATION,
        ),
        ("Raids carried on for a fortnight after the ceasefire pledge", "", "en", Level.VIOLATION),
        # Firing on a ceasefire line is a breach by definition.
        (
            "Troops from both armies exchange gunfire across the Line of Control near Uri",
            "",
            "en",
            Level.VIOLATION,
        ),
        (
            "Échanges de tirs le long de la ligne de contrôle au Cachemire",
            "",
            "fr",
            Level.VIOLATION,
        ),
        (
            "Tropas de India y Pakistán intercambian disparos en la Línea de Control",
            "",
            "es",
            Level.VIOLATION,
        ),
        # ... but agreeing to stop firing there is truce news, not a breach; nor is fighting
        # before or after a truce.
        (
            "India and Pakistan agree to stop firing along the Line of Control",
            "",
            "en",
            Level.CEASEFIRE,
        ),
        (
            "Russian missiles hit Zaporizhzhia hours before truce takes effect",
            "",
            "en",
            Level.CEASEFIRE,
        ),
        ("Shelling resumes in Donetsk after the Easter truce expired", "", "en", Level.CEASEFIRE),
        ("Shelling resumed since the truce expired on Sunday", "", "en", Level.CEASEFIRE),
    ],
)
def test_fighting_during_or_since_a_truce(title, summary, lang, level):
    check(title, summary, lang, level, set())


@pytest.mark.parametrize(
    ("title", "summary", "lang", "level"),
    [
        ("Feuding rap stars call truce ahead of joint tour", "", "en", Level.NONE),
        (
            "Coalition truce: chancellor wins party backing for pension reform",
            "",
            "en",
            Level.NONE,
        ),
        ("Tech giants declare truce in patent dispute", "", "en", Level.NONE),
        ("Trêve entre les deux géants de la tech", "", "fr", Level.NONE),
        ("Tregua entre las dos tecnológicas tras años de disputas", "", "es", Level.NONE),
        ("Waffenstillstand zwischen den Tech-Riesen", "", "de", Level.NONE),
        # Real truce news keeps its level: an actor, a war zone or a word like "ceasefire".
        ("Kremlin announces Easter truce", "", "en", Level.CEASEFIRE),
        ("Truce holds in Gaza for a second day", "", "en", Level.CEASEFIRE),
        ("Ceasefire holds for a second day", "", "en", Level.CEASEFIRE),
        ("Перемирие соблюдается на фронте второй день", "", "ru", Level.CEASEFIRE),
    ],
)
def test_truce_needs_an_armed_conflict(title, summary, lang, level):
    check(title, summary, lang, level, set())


@pytest.mark.parametrize(
    ("title", "summary", "lang", "level", "pairs"),
    [
        (
            "Karabakh officials say Azerbaijani and Turkish units stormed their lines at dawn, "
            "ending the truce",
            "",
            "en",
            Level.BLAME,
            pairs_of(("Nagorno-Karabakh", "Azerbaijan"), ("Nagorno-Karabakh", "Turkey")),
        ),
        (
            "Les autorités du Haut-Karabakh accusent les troupes azerbaïdjanaises et turques "
            "d'avoir rompu la trêve",
            "",
            "fr",
            Level.BLAME,
            pairs_of(("Nagorno-Karabakh", "Azerbaijan"), ("Nagorno-Karabakh", "Turkey")),
        ),
        (
            "Власти Карабаха заявили, что азербайджанские и турецкие войска нарушили перемирие",
            "",
            "ru",
            Level.BLAME,
            pairs_of(("Nagorno-Karabakh", "Azerbaijan"), ("Nagorno-Karabakh", "Turkey")),
        ),
        # "Separatists" is the item's one armed group when it is named, else nobody.
        (
            "Aliyev: separatists responded to our ceasefire by shelling villages",
            "Karabakh forces fired on Azerbaijani villages near Terter.",
            "en",
            Level.BLAME,
            pairs_of(("Azerbaijan", "Nagorno-Karabakh")),
        ),
        (
            "Алиев: сепаратисты ответили на наше перемирие обстрелами сёл",
            "Силы Нагорного Карабаха обстреляли Тертер.",
            "ru",
            Level.BLAME,
            pairs_of(("Azerbaijan", "Nagorno-Karabakh")),
        ),
        (
            "Aliyev: separatists responded to our ceasefire by shelling villages",
            "",
            "en",
            Level.VIOLATION,
            set(),
        ),
    ],
)
def test_vague_subjects_and_named_speakers(title, summary, lang, level, pairs):
    check(title, summary, lang, level, pairs)


# --- generalisation, third round: clause subjects, verdicts after the speaker, new forms -----


@pytest.mark.parametrize(
    ("title", "summary", "lang"),
    [
        # "N years since" in Arabic: "٥٠ عاماً على" + an old date.
        (
            "50 عاماً على اتفاق فك الاشتباك والهدنة بين سوريا وإسرائيل لعام 1974",
            "يستذكر مؤرخون مفاوضات فك الاشتباك.",
            "ar",
        ),
        ("سبعون عاما على هدنة الحرب الكورية عام 1953", "يستعيد مؤرخون ظروف توقيع الهدنة.", "ar"),
    ],
)
def test_arabic_years_since_an_old_truce_is_none(title, summary, lang):
    check(title, summary, lang, Level.NONE, set())


@pytest.mark.parametrize(
    ("title", "summary", "lang", "pairs"),
    [
        # A topic label before the colon is not one of the two sides.
        (
            "Ostukraine: Kiew und Moskau werfen sich neue Verletzungen der Waffenruhe vor",
            "",
            "de",
            pairs_of(("Ukraine", "Russia"), ("Russia", "Ukraine")),
        ),
        (
            "Südossetien: Georgien und Russland beklagen Verstöße gegen die Waffenruhe",
            "",
            "de",
            pairs_of(("Georgia", "Russia"), ("Russia", "Georgia")),
        ),
        (
            "Bergkarabach: Armenien und Aserbaidschan beklagen Verstöße gegen die Waffenruhe",
            "",
            "de",
            pairs_of(("Armenia", "Azerbaijan"), ("Azerbaijan", "Armenia")),
        ),
        # "gegenseitig ... vorgeworfen" with the object in between.
        (
            "Waffenruhe im Jemen brüchig",
            "Die Huthi und Saudi-Arabien haben sich gegenseitig Verstöße gegen die Waffenruhe "
            "vorgeworfen.",
            "de",
            pairs_of(("Houthis", "Saudi Arabia"), ("Saudi Arabia", "Houthis")),
        ),
    ],
)
def test_mutual_blame_with_a_label_or_split_verb(title, summary, lang, pairs):
    check(title, summary, lang, Level.BLAME, pairs)


@pytest.mark.parametrize(
    ("title", "summary", "lang", "pairs"),
    [
        # "X denied ... and accused Y": the clause's own subject, not the last speaker.
        (
            "Gaza truce strained",
            "Israel accused Hamas of firing rockets after the truce began. Hamas denied firing "
            "any rockets and accused Israel of shelling Gaza after the ceasefire took effect.",
            "en",
            pairs_of(("Israel", "Hamas"), ("Hamas", "Israel")),
        ),
        (
            "Karabakh truce falters",
            "Azerbaijan accused Armenia of breaking the truce. Armenia's defence ministry "
            "rejected the claim and accused Azerbaijan of shelling villages despite the "
            "ceasefire.",
            "en",
            pairs_of(("Azerbaijan", "Armenia"), ("Armenia", "Azerbaijan")),
        ),
        # "X says A and B broke the truce, tells B to ...": a second verb of X, not a speaker B.
        (
            "Erdogan says Armenia and Azerbaijan both broke the truce, tells Armenia to withdraw",
            "",
            "en",
            pairs_of(("Turkey", "Armenia"), ("Turkey", "Azerbaijan")),
        ),
        (
            "Guterres says Ethiopia and Eritrea both violated the ceasefire, urges Eritrea to "
            "pull out",
            "",
            "en",
            pairs_of(("United Nations", "Ethiopia"), ("United Nations", "Eritrea")),
        ),
        # "summoned Y's envoy to protest": the purpose belongs to the subject.
        (
            "Thailand summoned Cambodia's ambassador to protest ceasefire violations by Cambodian "
            "troops on the border",
            "",
            "en",
            pairs_of(("Thailand", "Cambodia")),
        ),
        (
            "Le Maroc a convoqué l'ambassadeur d'Algérie pour dénoncer les violations du "
            "cessez-le-feu par le Polisario",
            "",
            "fr",
            pairs_of(("Morocco", "Polisario Front")),
        ),
    ],
)
def test_clause_subjects_keep_their_own_verbs(title, summary, lang, pairs):
    check(title, summary, lang, Level.BLAME, pairs)


@pytest.mark.parametrize(
    ("title", "summary", "lang", "pairs"),
    [
        # "..., X said, calling it a violation": the verdict follows the speaker.
        (
            "Rockets were fired from Lebanon into northern Israel overnight, the Israeli army "
            "said, calling it a violation of the ceasefire",
            "",
            "en",
            pairs_of(("Israel", "Lebanon")),
        ),
        (
            "Truce under strain",
            "Shells crossed from Azerbaijan into Armenian villages overnight, Yerevan said, "
            "calling it a gross violation of the truce.",
            "en",
            pairs_of(("Armenia", "Azerbaijan")),
        ),
        (
            "Cambodian UAVs crossed the border despite the truce, Thailand says",
            "",
            "en",
            pairs_of(("Thailand", "Cambodia")),
        ),
        # A comma inside a quotation is not a post-posed speaker's comma.
        (
            "Yemen truce",
            'The Houthis said they launched drones as a "message, not a declaration of war" over '
            "what they called repeated Saudi breaches of the truce.",
            "en",
            pairs_of(("Houthis", "Saudi Arabia")),
        ),
        # "Y says the attack is a violation": the attack of the previous sentence's subject.
        (
            "Karabakh truce",
            "Azerbaijani troops shelled Jermuk. Pashinyan says the attack is a "
            "flagrant breach of the ceasefire.",
            "en",
            pairs_of(("Armenia", "Azerbaijan")),
        ),
        (
            "Easter truce",
            "Russian forces shelled Kharkiv overnight. Zelensky said the shelling "
            "was a blatant violation of the Easter truce.",
            "en",
            pairs_of(("Ukraine", "Russia")),
        ),
    ],
)
def test_verdicts_after_the_speaker_and_definite_attacks(title, summary, lang, pairs):
    check(title, summary, lang, Level.BLAME, pairs)


@pytest.mark.parametrize(
    ("title", "summary", "lang", "level"),
    [
        # Inflected fighting words: "канонада", "звуки боя", "silah sesleri", "patlama".
        ("Под Горловкой снова слышна канонада, несмотря на перемирие", "", "ru", Level.VIOLATION),
        ("На лінії фронту чути канонаду попри перемир'я", "", "uk", Level.VIOLATION),
        ("Sınır hattında ateşkese rağmen silah sesleri yükseldi", "", "tr", Level.VIOLATION),
        ("Ateşkese rağmen kentte patlamalar duyuldu", "", "tr", Level.VIOLATION),
        # "The truce largely held, but ...": fighting after the clause break.
        (
            "Lebanon truce mostly holds, but two killed as drones strike a car",
            "",
            "en",
            Level.VIOLATION,
        ),
        (
            "Sudan ceasefire broadly held overnight, but shelling resumed at dawn",
            "",
            "en",
            Level.VIOLATION,
        ),
        # A negated attack places nothing inside the truce.
        (
            "Truce enters second day",
            "Local authorities said there had been no fresh air raids "
            "during the night, as the truce agreed on Monday held.",
            "en",
            Level.CEASEFIRE,
        ),
        (
            "Calm returns",
            "Residents heard no fresh shelling, as the truce declared by the "
            "army went into its third day.",
            "en",
            Level.CEASEFIRE,
        ),
        # A political feud "перемир'я" between a mayor's office and the government.
        (
            "Мер і уряд: чи можливе «перемир'я»?",
            "Політологи не бачать шансів на примирення.",
            "uk",
            Level.NONE,
        ),
        (
            "Мэрия и губернатор: возможно ли «перемирие»?",
            "Политологи сомневаются.",
            "ru",
            Level.NONE,
        ),
    ],
)
def test_inflected_fighting_words_and_held_truces(title, summary, lang, level):
    check(title, summary, lang, level, set())


@pytest.mark.parametrize(
    ("title", "summary", "lang", "pairs"),
    [
        # "violated it": the object pronoun is the item's truce.
        (
            "Sudan truce takes effect",
            "Sudan's army said RSF fighters had violated it twice overnight.",
            "en",
            pairs_of(("Sudan", "Rapid Support Forces")),
        ),
        (
            "Truce begins in Tripoli",
            "The Tripoli government said Haftar's forces broke it within hours.",
            "en",
            pairs_of(("Libya", "Libyan National Army")),
        ),
        # A bare object closing a clause of a breach item: "Baku blames Yerevan — AFP".
        (
            "Yerevan says Azerbaijan shelled Jermuk during the truce; Baku blames Yerevan — AFP",
            "",
            "en",
            pairs_of(("Armenia", "Azerbaijan"), ("Azerbaijan", "Armenia")),
        ),
        (
            "Azerbaijan says Armenia broke the truce; Armenia blames Azerbaijan",
            "",
            "en",
            pairs_of(("Azerbaijan", "Armenia"), ("Armenia", "Azerbaijan")),
        ),
        # "el grupo" is the item's one armed group.
        (
            "Petro levanta el cese al fuego con el Clan del Golfo",
            "El mandatario dijo que el grupo rompió la tregua.",
            "es",
            pairs_of(("Colombia", "Clan del Golfo")),
        ),
        # "Moskova Zirvesi": a name qualifying a conference noun is not a party.
        (
            "Erdoğan: Hafter ateşkesi ihlal ediyor",
            "Erdoğan, Moskova Zirvesi'ne rağmen Hafter güçlerinin ateşkesi ihlal ettiğini "
            "söyledi.",
            "tr",
            pairs_of(("Turkey", "Libyan National Army")),
        ),
    ],
)
def test_truce_pronouns_bare_objects_and_generic_groups(title, summary, lang, pairs):
    check(title, summary, lang, Level.BLAME, pairs)


@pytest.mark.parametrize(
    ("title", "summary", "lang", "pairs"),
    [
        # "..., where X said ...": a relative clause reports its own content after the verb;
        # X is not a post-posed speaker of the clause before the comma.
        (
            "Russia says Azerbaijan broke the Karabakh truce",
            "Russian peacekeepers said Azerbaijani troops broke the truce near Agdam, where "
            "Yerevan said two soldiers had been killed by Azerbaijani fire.",
            "en",
            pairs_of(("Russia", "Azerbaijan"), ("Armenia", "Azerbaijan")),
        ),
        (
            "Turkey accuses SDF of violating the Manbij truce",
            "Turkish officials said SDF fighters shelled Jarablus despite the truce, where the "
            "United States said its patrol had been fired on by SDF units.",
            "en",
            pairs_of(
                ("Turkey", "Syrian Democratic Forces"),
                ("United States", "Syrian Democratic Forces"),
            ),
        ),
        (
            "UN says Israel violated the Lebanon ceasefire",
            "UNIFIL said Israeli tanks fired across the Blue Line despite the ceasefire, where "
            "Hezbollah said two of its members had been killed by Israeli drones.",
            "en",
            pairs_of(("United Nations", "Israel"), ("Hezbollah", "Israel")),
        ),
        # "des violations qu'il impute à Israël": the breach heads a relative clause whose
        # pronoun is the sentence's subject, and "à" marks the object of the charge.
        (
            "Trêve au Liban : tirs du Hezbollah près de Chebaa",
            "Le Hezbollah a revendiqué des tirs de roquettes contre une caserne israélienne, "
            "après des violations répétées de la trêve qu'il impute à Israël.",
            "fr",
            pairs_of(("Hezbollah", "Israel")),
        ),
        (
            "Gaza : le Hamas suspend les libérations malgré la trêve",
            "Le Hamas a reporté la libération des otages, à cause de violations de la trêve "
            "qu'il impute à Israël.",
            "fr",
            pairs_of(("Hamas", "Israel")),
        ),
        (
            "Soudan : l'armée bombarde Khartoum malgré la trêve",
            "L'armée soudanaise dit répondre aux violations qu'elle impute aux Forces de soutien "
            "rapide.",
            "fr",
            pairs_of(("Sudan", "Rapid Support Forces")),
        ),
        # German bracket verb: "macht X für den Bruch ... verantwortlich".
        (
            "Feuerpause in Cherson gebrochen",
            "Moskau machte ukrainische Einheiten für den Bruch der Waffenruhe verantwortlich.",
            "de",
            pairs_of(("Russia", "Ukraine")),
        ),
        (
            "Waffenruhe im Gazastreifen verletzt",
            "Israel macht die Hamas für den Verstoß gegen die Waffenruhe verantwortlich.",
            "de",
            pairs_of(("Israel", "Hamas")),
        ),
    ],
)
def test_relative_clauses_and_split_verbs(title, summary, lang, pairs):
    check(title, summary, lang, Level.BLAME, pairs)
