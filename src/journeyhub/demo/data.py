"""Reference data for the demo company: names, places, products, feedback texts."""

from __future__ import annotations

GERMAN_MALE = (
    "Thomas", "Michael", "Andreas", "Stefan", "Christian", "Markus", "Alexander", "Daniel",
    "Johannes", "Matthias", "Sebastian", "Tobias", "Florian", "Jan", "Lukas", "Maximilian",
    "Felix", "Jonas", "Paul", "Leon", "Wolfgang", "Jürgen", "Klaus", "Günter", "Dieter",
    "Uwe", "Bernd", "Frank", "Ralf", "Jörg", "Hans", "Peter", "Georg", "Friedrich", "Ludwig",
    "Martin", "Karl", "Heinz", "Werner", "Helmut", "Gerhard", "Manfred", "Horst", "Rainer",
    "Joachim", "Dirk", "Holger", "Sven", "Oliver", "Patrick", "Tim", "Niklas", "Finn", "Elias",
    "Noah", "Ben", "Luca", "Moritz", "Philipp", "Benjamin", "Dominik", "Fabian", "Kevin",
    "Marcel", "Dennis", "Christoph", "Nico", "Marco", "Erik", "Lars", "Torsten", "Volker",
    "Ulrich", "Harald", "Norbert", "Reinhard", "Bernhard", "Konrad", "Anton", "Emil", "Oskar",
    "Theo", "Vincent", "Julian", "Robin", "Samuel", "Jakob", "Valentin", "Leopold", "Matteo",
    "Till", "Hendrik", "Malte", "Timo", "Jens", "Kai", "Björn", "Gregor", "Rudolf", "Erich",
    "Ernst", "Hermann", "Gottfried", "Wilhelm", "Heinrich", "Kurt", "Egon", "Armin", "Detlef",
)  # fmt: skip
GERMAN_FEMALE = (
    "Anna", "Maria", "Katharina", "Julia", "Laura", "Sarah", "Lisa", "Lena", "Sophie", "Hannah",
    "Sabine", "Claudia", "Susanne", "Petra", "Andrea", "Stefanie", "Nicole", "Christina",
    "Elisabeth", "Margarete", "Ursula", "Renate", "Brigitte", "Monika", "Jutta", "Käthe",
    "Franziska", "Johanna", "Theresa", "Barbara", "Gabriele", "Birgit", "Heike", "Anja",
    "Emma", "Mia", "Lea", "Leonie", "Marie", "Emilia", "Clara", "Ida", "Lina", "Amelie",
    "Luisa", "Paula", "Greta", "Frieda", "Mila", "Helena", "Nele", "Jana", "Vanessa", "Melanie",
    "Kerstin", "Silke", "Martina", "Karin", "Ingrid", "Helga", "Gisela", "Christa", "Erika",
    "Hildegard", "Anneliese", "Doris", "Beate", "Tanja", "Simone", "Katrin", "Manuela",
    "Daniela", "Bettina", "Carina", "Verena", "Miriam", "Annika", "Svenja", "Nina", "Carolin",
    "Alina", "Marlene", "Ronja", "Pia", "Tamara", "Ines", "Iris", "Elke", "Dagmar", "Regina",
    "Angelika", "Cornelia", "Irmgard", "Waltraud", "Edith", "Gertrud", "Rosemarie", "Sigrid",
)  # fmt: skip
ENGLISH_MALE = (
    "James", "John", "Robert", "David", "William", "Richard", "Joseph", "Charles", "Thomas",
    "Christopher", "Daniel", "Matthew", "Oliver", "Harry", "George", "Jack", "Edward",
    "Henry", "Samuel", "Benjamin", "Michael", "Anthony", "Mark", "Paul", "Steven", "Andrew",
    "Peter", "Simon", "Adam", "Luke", "Ethan", "Noah", "Liam", "Ryan", "Arthur", "Oscar",
)  # fmt: skip
ENGLISH_FEMALE = (
    "Mary", "Patricia", "Jennifer", "Elizabeth", "Susan", "Jessica", "Sarah", "Emily",
    "Olivia", "Amelia", "Charlotte", "Sophia", "Grace", "Victoria", "Rebecca", "Katherine",
    "Linda", "Margaret", "Nancy", "Karen", "Helen", "Sandra", "Donna", "Ruth", "Sharon",
    "Laura", "Hannah", "Chloe", "Lucy", "Ella", "Isla", "Freya", "Alice", "Poppy", "Evie",
)  # fmt: skip
GERMAN_SURNAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt",
    "Werner", "Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler",
    "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang",
    "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Schubert", "Vogel", "Friedrich", "Keller",
    "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz", "Baumann", "Franke",
    "Albrecht", "Schuster", "Simon", "Ludwig", "Böhm", "Winter", "Kraus", "Martin", "Schumacher",
    "Krämer", "Vogt", "Stein", "Jäger", "Otto", "Sommer", "Groß", "Seidel", "Heinrich", "Brandt",
    "Haas", "Schreiber", "Graf", "Schulte", "Dietrich", "Ziegler", "Kuhn", "Kühn", "Pohl",
    "Engel", "Horn", "Busch", "Bergmann", "Thomas", "Voigt", "Sauer", "Arnold", "Wolff", "Pfeiffer",
    "Gruber", "Hofer", "Steiner", "Moser", "Mayr", "Egger", "Bachmann", "Brunner", "Baumgartner",
)  # fmt: skip
# Most Germans carry one of thousands of rarer names; built from the stems and endings real
# ones are made of (Stein + mann, Hof + meier), they spread people as a population does.
SURNAME_STEMS = (
    "Acker", "Adler", "Amsel", "Bach", "Baum", "Birk", "Blum", "Brand", "Brenn", "Brück",
    "Buch", "Dorn", "Eber", "Eck", "Eich", "Eisen", "Fass", "Fels", "Fink", "Forst", "Frei",
    "Fried", "Gold", "Grün", "Haber", "Hage", "Hart", "Hasel", "Heil", "Hein", "Hell", "Hirsch",
    "Hoch", "Hof", "Holz", "Kalt", "Kamm", "Kirch", "Klee", "Kling", "Kohl", "Kreuz", "Kron",
    "Land", "Laub", "Lehn", "Lind", "Lust", "Mahl", "Mark", "Moos", "Mühl", "Nagel", "Ober",
    "Ort", "Pfann", "Rau", "Reich", "Rein", "Ried", "Rosen", "Sand", "Schön", "Seel", "Silber",
    "Sonn", "Spitz", "Stahl", "Stein", "Sturm", "Tann", "Thal", "Treu", "Wald", "Wasser",
    "Weid", "Wein", "Wies", "Wild", "Zahn", "Zell", "Stroh", "Linden", "Eggen", "Hamm",
)  # fmt: skip
SURNAME_ENDINGS = (
    "er", "mann", "berger", "bauer", "meier", "huber", "hofer", "inger", "feld", "bach",
    "stein", "thal", "wald", "brunner", "hammer", "schmid", "maier", "ner", "ke", "hardt",
    "bruck", "mayr", "reiter", "lechner", "müller",
)  # fmt: skip
RARE_SURNAMES = tuple(
    stem + (ending[1:] if stem.endswith("e") and ending.startswith("e") else ending)
    for stem in SURNAME_STEMS for ending in SURNAME_ENDINGS
)  # fmt: skip
COMMON_SURNAME_SHARE = 0.3  # the common names above cover about this share of people
NOBLE_SURNAMES = ("von Bülow", "von der Heyde", "zu Guttenberg", "von Weizsäcker", "van Dijk")
ENGLISH_SURNAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Taylor", "Davies", "Evans", "Wilson",
    "Thompson", "Robinson", "Wright", "Walker", "White", "Hughes", "Edwards", "Green", "Hall",
)  # fmt: skip
NICKNAMES = {
    "Johannes": "Hans", "Katharina": "Kathi", "Elisabeth": "Lisa", "Margarete": "Grete",
    "Maximilian": "Max", "Alexander": "Alex", "Christian": "Chris", "Stefanie": "Steffi",
    "Franziska": "Franzi", "Theresa": "Resi", "Tobias": "Tobi", "Sebastian": "Basti",
    "Friedrich": "Fritz", "Ludwig": "Lutz", "Gabriele": "Gabi", "Barbara": "Babsi",
    "William": "Bill", "Robert": "Bob", "Richard": "Dick", "Elizabeth": "Liz",
    "Katherine": "Kate", "Christopher": "Chris", "Matthew": "Matt", "Rebecca": "Becky",
    "Susanne": "Susi", "Andreas": "Andi", "Michael": "Michi", "Daniel": "Dani",
}  # fmt: skip
TITLES = ("Dr.", "Prof.", "Prof. Dr.", "Dipl.-Ing.")

# country -> places: (city, phone area code, first postcode, last postcode, step). A person's
# postcode is drawn from the city's range, so a big city spreads over hundreds of postcodes
# as it does in reality (Berlin 10115-14199); a fixed postcode has first == last.
Place = tuple[str, str, str, str, int]
PLACES: dict[str, list[Place]] = {
    "DE": [
        ("Berlin", "30", "10115", "14199", 1), ("Hamburg", "40", "20095", "22769", 1),
        ("München", "89", "80331", "81929", 1), ("Köln", "221", "50667", "51149", 1),
        ("Frankfurt am Main", "69", "60306", "60599", 1),
        ("Stuttgart", "711", "70173", "70629", 1), ("Düsseldorf", "211", "40210", "40629", 1),
        ("Leipzig", "341", "04103", "04357", 1), ("Dresden", "351", "01067", "01328", 1),
        ("Hannover", "511", "30159", "30669", 1), ("Nürnberg", "911", "90402", "90491", 1),
        ("Bremen", "421", "28195", "28779", 1), ("Essen", "201", "45127", "45359", 1),
        ("Dortmund", "231", "44135", "44388", 1), ("Bonn", "228", "53111", "53229", 1),
        ("Mannheim", "621", "68159", "68309", 1), ("Karlsruhe", "721", "76131", "76229", 1),
        ("Augsburg", "821", "86150", "86199", 1), ("Wiesbaden", "611", "65183", "65207", 1),
        ("Mainz", "6131", "55116", "55131", 1), ("Bielefeld", "521", "33602", "33739", 1),
        ("Aachen", "241", "52062", "52080", 1), ("Kassel", "561", "34117", "34134", 1),
        ("Rostock", "381", "18055", "18147", 1), ("Erfurt", "361", "99084", "99099", 1),
        ("Potsdam", "331", "14467", "14482", 1), ("Saarbrücken", "681", "66111", "66133", 1),
        ("Ulm", "731", "89073", "89081", 1), ("Würzburg", "931", "97070", "97084", 1),
        ("Osnabrück", "541", "49074", "49090", 1), ("Lübeck", "451", "23552", "23570", 1),
        ("Magdeburg", "391", "39104", "39130", 1), ("Braunschweig", "531", "38100", "38126", 1),
        ("Göttingen", "551", "37073", "37085", 1), ("Konstanz", "7531", "78462", "78467", 1),
        ("Freiburg im Breisgau", "761", "79098", "79117", 1),
        ("Heidelberg", "6221", "69115", "69126", 1), ("Münster", "251", "48143", "48167", 1),
        ("Regensburg", "941", "93047", "93059", 1), ("Kiel", "431", "24103", "24159", 1),
        ("Passau", "851", "94032", "94036", 1), ("Trier", "651", "54290", "54296", 1),
    ],
    "AT": [
        ("Wien", "1", "1010", "1230", 10), ("Graz", "316", "8010", "8063", 1),
        ("Linz", "732", "4020", "4040", 1), ("Salzburg", "662", "5020", "5026", 1),
        ("Innsbruck", "512", "6020", "6080", 10), ("Klagenfurt", "463", "9020", "9073", 1),
        ("Bregenz", "5574", "6900", "6900", 1),
    ],
    "CH": [
        ("Zürich", "44", "8001", "8057", 1), ("Bern", "31", "3004", "3030", 1),
        ("Basel", "61", "4051", "4059", 1), ("Luzern", "41", "6003", "6015", 1),
        ("St. Gallen", "71", "9000", "9016", 1), ("Genève", "22", "1201", "1209", 1),
        ("Lausanne", "21", "1003", "1018", 1), ("Winterthur", "52", "8400", "8411", 1),
    ],
    "NL": [
        ("Amsterdam", "20", "1012 AB", "1012 AB", 1), ("Rotterdam", "10", "3011 AA", "3011 AA", 1),
        ("Utrecht", "30", "3511 AA", "3511 AA", 1),
    ],
    # French numbers have nine digits after the 0: Paris 01 4x, Strasbourg 03 8x
    "FR": [("Paris", "14", "75001", "75020", 1), ("Strasbourg", "38", "67000", "67200", 100)],
    "GB": [
        ("London", "20", "SW1A 1AA", "SW1A 1AA", 1), ("Manchester", "161", "M1 1AE", "M1 1AE", 1),
    ],
    "IT": [("Roma", "06", "00118", "00199", 1), ("Milano", "02", "20121", "20162", 1)],
    "US": [("New York", "212", "10001", "10282", 1), ("San Francisco", "415", "94102", "94134", 1)],
}  # fmt: skip
COUNTRY_WEIGHTS = {"DE": 70, "AT": 12, "CH": 10, "NL": 2, "FR": 2, "GB": 2, "IT": 1, "US": 1}
COUNTRY_CALLING = {
    "DE": "49",
    "AT": "43",
    "CH": "41",
    "NL": "31",
    "FR": "33",
    "GB": "44",
    "IT": "39",
    "US": "1",
}
# German street names the way towns name them: a person, tree, place or trade and a suffix
STREET_STEMS_DE = (
    "Haupt", "Schul", "Garten", "Bahnhof", "Dorf", "Berg", "Birken", "Linden", "Kirch", "Wald",
    "Ring", "Goethe", "Schiller", "Mozart", "Beethoven", "Lessing", "Heine", "Kant", "Bismarck",
    "Friedrich", "Wilhelm", "Luisen", "Marien", "Rosen", "Tulpen", "Eichen", "Buchen",
    "Kastanien", "Ahorn", "Tannen", "Mühlen", "Feld", "Wiesen", "Sonnen", "Blumen", "Park",
    "Markt", "Brunnen", "Schloss", "Burg", "Post", "Industrie", "Hafen", "Kloster", "Sand",
    "Stein", "Bach", "See", "Fichten", "Holunder", "Hasel", "Ulmen", "Erlen", "Weiden",
    "Kirchberg", "Mittel", "Ober", "Unter", "Neu", "Alt", "Jahn", "Humboldt", "Uhland",
    "Herder", "Körner", "Händel", "Schubert", "Dürer", "Luther", "Richard-Wagner",
    "Robert-Koch", "Albert-Schweitzer", "Gutenberg", "Röntgen", "Diesel", "Zeppelin",
)  # fmt: skip
STREET_SUFFIXES_DE = ("straße", "straße", "straße", "weg", "allee", "gasse", "ring", "platz")
STREETS_DE = tuple(
    f"{stem}-{suffix.capitalize()}" if "-" in stem else f"{stem}{suffix}"
    for stem in STREET_STEMS_DE for suffix in STREET_SUFFIXES_DE
    if not (stem == "Ring" and suffix == "ring")
)  # fmt: skip
STREETS_INT = (
    "Main Street",
    "High Street",
    "Rue de la Paix",
    "Via Roma",
    "Keizersgracht",
    "Church Road",
    "Market Street",
    "Station Road",
)
EMAIL_DOMAINS = (
    "gmail.com",
    "web.de",
    "gmx.de",
    "t-online.de",
    "outlook.com",
    "gmx.at",
    "bluewin.ch",
    "yahoo.de",
    "icloud.com",
    "posteo.de",
    "hotmail.com",
)

ACCOUNT_TYPES = {
    "manufacturer": ("{} Maschinenbau", "{} Werke", "{} Elektrotechnik", "{} Metallbau"),
    "reseller": ("{} Handelsgesellschaft", "{} Großhandel", "{} Bürobedarf", "{} Fachhandel"),
    "public_authority": ("Stadtverwaltung {city}", "Landratsamt {city}", "Finanzamt {city}",
                         "Bezirksamt {city}"),
    "institution": ("Universität {city}", "Klinikum {city}", "Gymnasium {city}",
                    "Stadtbibliothek {city}"),
}  # fmt: skip
LEGAL_FORMS = ("GmbH", "AG", "GmbH & Co. KG", "e.K.", "KG", "OHG", "Ltd", "SE")

PRODUCTS = (
    ("P-1001", "Kaffeevollautomat Barista Pro", "kitchen", 649.00),
    ("P-1002", "Espressotassen 6er-Set", "kitchen", 29.90),
    ("P-1003", "Wasserkocher Edelstahl", "kitchen", 39.95),
    ("P-2001", "Laufschuhe Trail X", "sports", 119.00),
    ("P-2002", "Yogamatte Natur", "sports", 34.50),
    ("P-2003", "Fahrradhelm City", "sports", 59.00),
    ("P-3001", "Bluetooth-Kopfhörer NoiseFree", "electronics", 179.00),
    ("P-3002", "USB-C Ladegerät 65W", "electronics", 24.99),
    ("P-3003", "E-Book-Reader Lumen", "electronics", 129.00),
    ("P-4001", "Daunendecke Winter", "home", 149.00),
    ("P-4002", "Bettwäsche Satin", "home", 59.90),
    ("P-4003", "Stehlampe Loft", "home", 89.00),
    ("P-5001", "Bürostuhl Ergo 3000", "office", 399.00),
    ("P-5002", "Kopierpapier A4 (5x500)", "office", 24.50),
    ("P-5003", "Schreibtisch höhenverstellbar", "office", 549.00),
)  # fmt: skip
STORES = (
    "Berlin Mitte",
    "Hamburg Altona",
    "München Zentrum",
    "Wien Neubau",
    "Zürich HB",
    "Köln Dom",
    "Frankfurt Zeil",
)

NPS_COMMENTS = {
    "de": {
        "promoter": ("Super schnelle Lieferung, gerne wieder!", "Toller Service im Laden.",
                     "Sehr kompetente Beratung am Telefon.", "Alles bestens, danke!"),
        "passive": ("Ganz okay, Lieferung hat etwas gedauert.", "Produkt gut, Preis hoch.",
                    "Die Website ist etwas unübersichtlich."),
        "detractor": ("Ich musste dreimal anrufen und alles neu erklären.",
                      "Lieferung kam zu spät und war beschädigt.",
                      "Lange Wartezeit in der Hotline, niemand konnte helfen.",
                      "Rücksendung sehr kompliziert, Erstattung dauert ewig."),
    },
    "en": {
        "promoter": ("Fast delivery, great quality!", "The staff in the store were lovely.",
                     "Support solved my problem in minutes."),
        "passive": ("Fine, but shipping took a while.", "Good product, a bit pricey."),
        "detractor": ("I had to repeat my issue to three different agents.",
                      "Waited 40 minutes on hold.", "The parcel arrived damaged and late."),
    },
}  # fmt: skip
