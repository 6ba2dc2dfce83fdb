"""The ways people describe each built-in task family's job, as the family's ``phrases``:
regular expressions on the lower-cased message, read when the words name no task and no
file decides it ("score essays 0-10", "pull out drug names from clinical notes", "is this
photo a cat or a dog", "make a bot that answers like our support team"). They describe the
job (what goes in, what comes out), never a data set or a model, so a family's words stay
true whatever is installed."""

from __future__ import annotations

# what a number-valued target is called: predicting one is regression, not classification
NUMERIC_TARGETS = (r"(?:prices?|scores?|ratings?|numbers?|values?|grades?|levels?|ages?|"
                   r"amounts?|counts?|costs?|salar(?:y|ies)|stars?|durations?|temperatures?|"
                   r"quantit(?:y|ies)|sales|revenues?|intensit(?:y|ies)|points?|"
                   r"difficult(?:y|ies)|readability|percentages?|weights?|heights?|lengths?|"
                   r"distances?|fees?|fares?|wages?|incomes?|budgets?|totals?|rents?|profits?|"
                   r"spend(?:ing)?|mileage|valuations?|probabilit(?:y|"
                   r"ies)|likelihoods?|times?|days|hours|minutes|upvotes|likes|views|clicks)")
# verbs that put a number on something ("score passage difficulty", "grade the essays' level")
SCORING = r"(?:scor(?:e|es|ed|ing)|grad(?:e|es|ed|ing)|rat(?:e|es|ed|ing))"
# a range of numbers: "0-10", "1 to 5", "between 0 and 100"
RANGE = r"\d+(?:\.\d+)?\s*(?:-|–|to|and)\s*\d+(?:\.\d+)?"
NOT_A_COUNT = (r"(?!\s*(?:%|percent|epochs?|layers?|steps?|classes|labels|categories|gpus?|"
               r"rows?|examples?)\b)")
# what texts are: a job on them is a text job
TEXTS = (r"(?:texts?|notes?|documents?|docs|sentences?|reports?|articles?|news|e-?mails?|"
         r"contracts?|messages?|tweets?|posts?|records?|transcripts?|reviews?|tickets?|"
         r"abstracts?|papers?|cvs?|resumes?|invoices?|logs?|comments?|paragraphs?|pages?|"
         r"chats?|conversations?|feedback|descriptions?|listings?|essays?|letters?)")
# what images are called, and where they come from
IMAGES = (r"(?:images?|imagery|photos?|photographs?|pictures?|pics?|x-?rays?|radiographs?|"
          r"scans?|mri|ct|ultrasounds?|micrographs?|screenshots?|selfies?|thumbnails?|"
          r"camera|webcam|frames?|jpe?gs?|pngs?|satellite|aerial|dermoscop\w*)")
# the same, said alone: no word that is also a verb or a table's ("scan the data", "frames")
IMAGE_NOUNS = (r"(?:images?|imagery|photos?|photographs?|pictures?|pics|x-?rays?|radiographs?|"
               r"scans|mri scans?|ct scans?|ultrasounds?|micrographs?|screenshots?|selfies?|"
               r"thumbnails?|camera|webcam|jpe?gs?|pngs?|satellite|dermoscop\w*)")
# what is generated: a model that writes one of these is a language model
WRITINGS = (r"(?:descriptions?|e-?mails?|posts?|poems?|poetry|stor(?:y|ies)|articles?|"
            r"summar(?:y|ies)|answers?|replies|responses?|code|queries|sql|text|copy|captions?|"
            r"titles?|headlines?|paragraphs?|essays?|letters?|messages?|tweets?|dialog\w*|"
            r"conversations?|lyrics|scripts?|recipes?|jokes?|slogans?|ads?|paraphrases?|"
            r"translations?|questions)")
GENERATING = (r"(?:writ(?:e|es|ing)|wrote|generat\w*|draft\w*|compos(?:e|es|ing)|"
              r"produc(?:e|es|ing)|summari[sz]\w*|paraphras\w*|rewrit\w*|translat\w*|"
              r"autocomplet\w*|complet(?:e|es|ing)|continu\w*|repl(?:y|ies|ying)|"
              r"respond(?:s|ing)?|answer(?:s|ing)?|ask(?:s|ing)?)")
# the same, and the ways of speaking ("talks like", "sounds like our team")
SPEAKING = rf"(?:{GENERATING[3:-1]}|talk\w*|chat\w*|speak\w*)"

TEXT_REGRESSION = (
    rf"\b(?:predict|estimat|forecast|regress|output|guess)\w* (?:an? |the |each |its |their |"
    rf"how )?(?:[\w'-]+ ){{0,3}}?{NUMERIC_TARGETS}\b(?! (?:class|categor|label|bucket))",
    r"\bas an? (?:real |continuous |plain |single )?(?:number|value|float|score)\b",
    r"\b(?:continuous|numeric(?:al)?|real[- ]valued) (?:value|target|label|output|score|"
    r"number)s?\b",
    r"\bhow much\b.*\b(?:sell|cost|worth|pay)\b",
    r"\b(?:predict|estimat|forecast|guess)\w* how (?:much|many|long|old|big|far|high)\b",
    rf"\b{SCORING} (?:the |each |every |its |their |how )?(?:[\w'-]+ ){{0,2}}?"
    rf"(?:difficult(?:y|ies)|readability|levels?|prices?|values?)\b",
    rf"\b{NUMERIC_TARGETS} (?:prediction|predictor|estimation|estimator|forecast\w*)\b",
    r"\bnot (?:as )?an? (?:class|category|label|classification)\b|\breal[- ]numbers?\b",
    # a range said of what is predicted or given: "predict the mood (1-5)", "score essays
    # 0-10", "a grade between 0 and 100", "on a 1 to 10 scale"
    rf"\b(?:predict|estimat|forecast|rat(?:e|es|ing)|scor(?:e|es|ing)|grad(?:e|es|ing))\w* "
    rf"[^.;?!]{{0,40}}?(?:\(|\bfrom |\bbetween |\bscale of |\brange |\bof |\bout of |\b)"
    rf"{RANGE}{NOT_A_COUNT}",
    rf"\b{NUMERIC_TARGETS} (?:of |from |between |in the range |out of )?{RANGE}{NOT_A_COUNT}",
    rf"\bon an? (?:{RANGE} |\w+ )?scale\b",
    r"\bregress\w*\b",
    r"\bcontinuous\b(?! (?:integration|training|pre-?training|deployment|learning|batching))",
    # a number put on each text: "give each review a helpfulness score"
    r"\b(?:assign|give|attach|put|comput|output|return)\w* (?:an? |each |every |the |it )?"
    r"(?:[\w-]+ ){0,3}?an? (?:[\w-]+ ){0,2}?(?:score|number|value|probability|rating|grade)\b",
    # how long, how many, from a text: "how long will a bug take to fix, from its description"
    rf"\bhow (?:long|much|many \w+|old|big|far|high|fast) (?:will|would|does|do|is|are|did|"
    rf"can) [^.?!]{{0,60}}?\b(?:from|based on|given|using|by reading) (?:the |its |their |an? |"
    rf"each |every )?(?:[\w-]+ )?{TEXTS}\b",
    # "a number from a piece of text", "a helpfulness score for each review"
    rf"\ban? (?:\w+ )?(?:number|score|value) (?:from|for|out of|of|per) (?:an? |the |each |every "
    rf"|a piece of )?(?:[\w'-]+ )?{TEXTS}\b",
)
TOKEN_CLASSIFICATION = (
    r"\b(?:tag|label|mark|find|extract|recogni[sz])\w* (?:the |each |every |all )?"
    r"(?:named )?(?:entit(?:y|ies)|words?|tokens?|names of)\b",
    r"\btagger\b", r"\bpart[- ]of[- ]speech\b", r"\bpos tags?\b", r"\bbio tags?\b",
    # pulling names, mentions or spans out of a text: "pull out drug names from clinical
    # notes", "highlight the company names in news", "find all the gene mentions"
    r"\b(?:pull\w* out|pick\w* out|extract\w*|highlight\w*|mark\w*|find\w*|spot\w*|detect\w*|"
    r"identif\w*|locat\w*|tag\w*|recogni[sz]\w*|annotat\w*|redact\w*|anonymi[sz]\w*|mask\w*|"
    r"underlin\w*|catch\w*)\b [^.;?!]{0,40}?\b(?:names|mentions?|entit(?:y|ies)|spans?|"
    r"(?:phone )?numbers|dates?|address(?:es)?|adress(?:es)?|places|locations?|"
    r"organi[sz]ations?|people|persons)\b",
    # where a span starts and ends: "mark the start and end of every address"
    r"\b(?:start|beginning) and (?:the )?end of\b",
    rf"\b(?:pull\w* out|pick\w* out|extract\w*)\b [^.;?!]{{0,40}}?\b(?:from|in|inside|within|"
    rf"out of) (?:the |my |our |each |every |all |these |some )?(?:[\w-]+ ){{0,2}}?{TEXTS}\b",
    r"\b(?:where|which|every|each|all|any)\b [^.;?!]{0,40}?\bmention(?:ed|s)?\b",
    # things found inside texts: "find the symptoms and medications in doctor notes" (what
    # is wrong with the data is the data check's: "find duplicates in my reviews")
    rf"\b(?:find|extract|pull out|highlight|mark|spot|identify|detect|pick out|locate)\w* "
    rf"(?!(?:the |all |any )?(?:duplicat|error|mistake|typo|problem|issue|spam|wrong|bad|noisy|"
    rf"outlier|leak|bias)\w*)(?:the |all |every |each |any )?(?:[\w-]+ ){{1,4}}?(?:in|inside|"
    rf"within|from) (?:the |my |our |each |every |these |some |a |an )?(?:[\w-]+ ){{0,2}}?"
    rf"{TEXTS}\b",
    r"\b(?:each|every|per|which) (?:single )?(?:word|token)s?\b|\bword[- ]by[- ]word\b|"
    r"\b(?:word|token)[- ]level\b",
)
IMAGE_CLASSIFICATION = (
    rf"\bclassif\w* (?:the |my |these |some )?(?:[\w-]+ ){{0,2}}?{IMAGES}\b",
    r"\b(?:images?|photos?|pictures?) (?:classif|recogni)\w*",
    r"\bvision\b",
    # what the inputs are, said of the job: images are what this family reads
    rf"\b{IMAGE_NOUNS}\b",
)
CAUSAL_LM = (
    r"\bllms?\b", r"\b(?:chat|instruct\w*|sft|dialog(?:ue)?)[ -]?(?:fine[ -]?)?tun\w*",
    r"\bfor chat\b", r"\bchat ?bots?\b", r"\bbots?\b",
    # "explain sql errors in plain english": a model that puts things in words
    r"\bin (?:plain|simple|simpler|everyday|formal|casual|friendly|polite) (?:english|words|"
    r"language|terms|french|german|spanish)\b", r"\bfollow\w* (?:my |the |your )?instructions\b",
    r"\bwrites? like\b", r"\bcontinue[ds]? pre-?train\w*", r"\banswer\w* questions like\b",
    r"\bgenerat\w* text\b", r"\bnext[- ]token\b",
    # the person's chats or instructions as the data: "fine-tune llama on my chats"
    r"\b(?:train|teach|adapt)\w*\b[^.;?!]{0,40}?\b(?:on|from|with|using) (?:my|our|the|"
    r"these|those|some|his|her|their|all) (?:own |past |old |support |customer |"
    r"recorded |saved |exported )?(?:chat(?:s| logs?| histor(?:y|ies)| transcripts?)|"
    r"conversations?|dialog(?:ue)?s|instructions? (?:data|pairs|set)|"
    r"prompts? and (?:responses|answers|completions))\b",
    # a model that writes something: "teach the model to write product descriptions", "so it
    # generates sql queries", "get it to summarise meeting notes", "continue writing"
    # (said of the model, or as the job itself: "write a description of the model" asks for
    # a model card, not a language model)
    # (not asked of the assistant: "can you answer my questions", "I want you to write")
    rf"(?<!you )(?<!\bu )\b(?:to|it|that|which|who|so it|model|llm|bot|assistant) "
    rf"(?:\w+ )?{GENERATING} "
    rf"(?:\w+ ){{0,3}}?{WRITINGS}\b",
    rf"^(?:please |i want to |we want to )?{GENERATING} (?:\w+ ){{0,3}}?{WRITINGS}\b(?! (?:of|"
    rf"for|about) (?:the|this|my|our) (?:model|run|spec|results?|training|settings|data))",
    r"\b(?:continu|keep)\w* (?:on )?writing\b|\bautocomplet\w*",
    # speaking in a language or a manner: "fine-tune it to reply in french"
    rf"(?<!you )(?<!\bu )\b(?:to|it|that|so it|model|bot|llm) (?:\w+ )?{SPEAKING} "
    rf"(?:only |always )?(?:in|like) "
    r"(?!(?:the )?(?:batch|epoch|step|json|csv)\w*)\w+",
    # one text made into another: "turn bullet points into full paragraphs"
    rf"\b(?:turn|convert|transform|expand)\w* [^.?!]{{0,40}}?\binto (?:\w+ ){{0,2}}?{WRITINGS}\b",
    rf"\b(?:summari[sz]\w*|paraphras\w*|rewrit\w*|translat\w*) (?:the |my |our |each |every |"
    rf"these |long |short )?(?:[\w-]+ ){{0,2}}?{TEXTS}\b",
    # speaking like someone: "answers like our support team", "in the style of my novels"
    rf"\b{SPEAKING} (?:just |exactly )?(?:like|the way|as) (?:our|my|the|a|an|us|me|\w+'s)\b",
    r"\bin (?:the |our |my |a |an |his |her |their )?(?:own )?(?:\w+ )?(?:style|voice|tone)\b"
    r"(?! of (?:the |a |my )?(?:default|config\w*|spec|settings|run|yaml|json)\b)",
    r"\b(?:bot|chat ?bot|agent|assistant|copilot)s? (?:that|which|to|who) (?:\w+ ){0,3}?"
    rf"{GENERATING}",
    r"\b(?:make|build|create|train|fine[- ]?tune|want|need)\w* (?:me )?(?:an? |our |my |the )?"
    r"(?:\w+ ){0,2}?(?:bot|chat ?bot|copilot)\b",
)
TEXT_CLASSIFICATION = (
    # which of a few kinds each text is: "spam or not", "is the review positive or negative",
    # "which department should handle this email", "route messages to the right team"
    r"^(?:\w+ ){0,2}?\w+ or not\b|\b(?:whether|if|is|are) (?:\w+ ){0,4}?\w+ or not\b",
    r"\b(?:whether|if|is|are|decide|determine|tell|detect\w*)\b (?:an?|the|this|that|each|"
    r"every|my|our|a given) (?:[a-z'-]+ ){1,3}?(?:is |are |was |looks |sounds |seems )?(?:an? )?"
    r"[a-z]+ or (?:an? )?(?:not|non-?[a-z]+|un[a-z]+|[a-z]+)\b",
    # "is this comment sarcastic", "is the review positive": a kind of each text, asked
    rf"^(?:is|are|was) (?:this|that|the|a|an|each|every|my|our|a given) (?:[\w-]+ )?{TEXTS} "
    r"(?:an? )?[a-z]+\b",
    r"\b(?:positive|negative|neutral) (?:or|from|vs\.?|versus|and) (?:positive|negative|"
    r"neutral)\b",
    r"\b(?:which|what) (?:department|team|category|class|label|topic|queue|folder|bucket|"
    r"group|kind|type|intent|language|genre|priority)\b",
    # (verbs, not the nouns: "the labels are in the category column" names a column)
    r"\b(?:sort|route|assign|file|send|triage|bucket|group|split|label|tag|flag)(?:s|ed|ing|led|"
    r"ling|ged|ging)?\b(?<!\blabels)(?<!\btags)(?<!\bgroups)(?<!\bfiles) [^.;?!]{0,40}?"
    r"\b(?:into|to the right|by|as|in) (?:the |a |an |one of )?(?:[\w-]+ )?(?:topics?|themes?|"
    r"subjects?|categor(?:y|ies)|departments?|teams?|intents?|sentiments?|types?|kinds?|"
    r"classes|groups|buckets|queues|folders|languages?|priorit(?:y|ies)|urgency|tones?|"
    r"emotions?|genres?|billing|spam|urgent)\b",
    r"\b(?:flag\w*|filter\w*|detect\w*|catch\w*|block\w*) (?:the |out )?(?:\w+ )?(?:spam|toxic\w*|"
    r"abus\w*|hate\w*|offensive|fake|fraud\w*|phishing|inappropriate|nsfw|off-topic)\b",
    r"\b(?:detect|identify|guess|tell|recogni[sz]e|work out|figure out|predict)\w* (?:the |which |"
    r"what )(?:language|intent|topic|sentiment|emotion|tone|category|genre|author|class|label)\b",
    r"\b(?:assign|give|put|attach)\w* (?:\w+ ){0,4}?an? (?:label|category|class|tag|priority|"
    r"topic|department|team|sentiment)\b",
    r"\b(?:spam|toxic\w*|intent|topic|sentiment|emotion|fake news|hate speech|"
    r"language (?:identification|detection))\b",
)

# each family's job in plain sentences, for the semantic fallback (About.examples)
TEXT_REGRESSION_EXAMPLES = (
    "predict a number from a text",
    "give each text a score",
    "estimate a quantity from a description",
    "how much or how many, read from the text",
)
TEXT_CLASSIFICATION_EXAMPLES = (
    "put each text into one of a few categories",
    "decide which label a message gets",
    "is this text one kind or another",
    "send each message to the right group",
)
TOKEN_CLASSIFICATION_EXAMPLES = (
    "find and mark the names and terms inside a text",
    "extract mentions of things from documents",
    "label every word of a sentence",
)
IMAGE_CLASSIFICATION_EXAMPLES = (
    "tell what a picture shows",
    "sort photos into categories",
    "recognise the object in an image",
)
CAUSAL_LM_EXAMPLES = (
    "a model that writes text",
    "a chatbot that answers in our style",
    "generate replies, stories or code",
)
