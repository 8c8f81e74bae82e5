package caption

import "regexp"

// openerOp builds an opener rule that removes the match.
func openerOp(pattern string) openerRule {
	return openerRule{re: regexp.MustCompile(`^(?:` + pattern + `)`)}
}

// openerUnless is openerOp with a veto on the result (see openerRule).
func openerUnless(pattern, unless string) openerRule {
	r := openerOp(pattern)
	r.unless = regexp.MustCompile(`^(?:` + unless + `)`)
	return r
}

// openerRewrite builds a rule that rewrites the match with repl, for languages
// where the opener wraps the content ("Auf dem Bild ist X zu sehen." → "X.").
func openerRewrite(pattern, repl string) openerRule {
	return openerRule{re: regexp.MustCompile(`^(?:` + pattern + `)`), repl: repl}
}

// openerUniversal are chatty English preambles that end in punctuation of
// their own, safe to drop whatever the language of the rest.
var openerUniversal = []openerRule{
	openerOp(`(?i)(?:sure|certainly|of course|okay|ok|absolutely)\s*[!,.]\s*`),
	openerOp(`(?i)here(?:'s|’s| is) (?:a |an |the )?(?:brief |short |detailed |one-sentence |concise )?(?:description|caption|summary|translation)(?: of (?:the|this) (?:image|picture|photo|text))?(?: in [a-z]+)?\s*[:.]\s*`),
	openerOp(`(?i)(?:caption|description|image description|answer|translation)\s*:\s*`),
}

// openerRules lists per language the boilerplate a captioner opens with.
// Removing an opener must leave a sentence or a noun phrase that stands
// alone: where the language's grammar would leave a fragment in the wrong
// case or a verb-first clause (German "Auf dem Bild sitzt ..."), the opener
// is either rewritten or left in place.
var openerRules = map[string][]openerRule{
	"en": {
		openerOp(`(?i)(?:this|the) (?:image|picture|photo(?:graph)?|scene|illustration|drawing|painting|shot|frame|screenshot) (?:shows|depicts|features|displays|captures|presents|portrays|illustrates|contains|showcases|is showing|is depicting|appears to show|appears to depict|seems to show)(?: that)?\s+`),
		openerOp(`(?i)(?:in|within) (?:this|the) (?:image|picture|photo(?:graph)?|scene|illustration|drawing|painting|shot|frame)\s*,?\s*(?:(?:we|you|one) (?:can )?see\s+|there (?:is|are)\s+)?`),
		openerOp(`(?i)(?:this|it) is (?:a |an )?(?:close-up |black-and-white |black and white |colou?r |aerial |candid )?(?:image|picture|photo(?:graph)?|illustration|drawing|painting|shot|view|screenshot) (?:of|showing|depicting)\s+`),
		openerOp(`(?i)the image is (?:a |an )?(?:close-up |black-and-white |colou?r )?(?:photo(?:graph)?|picture|illustration|drawing|painting) of\s+`),
	},
	"de": {
		openerUnless(`(?i)(?:das|dieses) (?:bild|foto|gemälde) (?:zeigt|stellt dar)\s+`, `(?i)(?:einen|den|keinen)\s`),
		openerRewrite(`(?i)auf (?:diesem|dem) (?:bild|foto) (?:ist|sind) (.+?) zu sehen([.!;,]|$)`, "${1}${2}"),
		openerUnless(`(?i)auf (?:diesem|dem) (?:bild|foto) (?:sieht man|erkennt man|sehen wir)\s+`, `(?i)(?:einen|den|keinen)\s`),
		openerOp(`(?i)zu sehen (?:ist|sind)\s+`),
		openerOp(`(?i)hier ist (?:eine|die) (?:kurze |ausführliche )?(?:bild)?beschreibung(?: des bildes)?\s*:\s*`),
	},
	"fr": {
		openerOp(`(?i)(?:l['’]|cette )(?:image|photo(?:graphie)?|illustration) (?:montre|représente|présente|dépeint|affiche|met en scène)\s+`),
		openerOp(`(?i)(?:sur|dans) (?:cette |l['’])(?:image|photo(?:graphie)?)\s*,?\s*(?:(?:on voit|on peut voir|nous voyons|nous pouvons voir|il y a|se trouvent|se trouve|figurent|figure)\s+)?`),
		openerOp(`(?i)(?:voici|c['’]est|il s['’]agit d['’])\s*(?:une |un )?(?:image|photo(?:graphie)?) (?:de |d['’]|montrant )`),
	},
	"es": {
		openerOp(`(?i)(?:la|esta) (?:imagen|foto(?:grafía)?|ilustración) (?:muestra|representa|presenta|retrata|contiene|exhibe)\s+`),
		openerOp(`(?i)en (?:la|esta) (?:imagen|foto(?:grafía)?)\s*,?\s*(?:(?:se ven|se ve|se observan|se observa|se aprecian|se aprecia|se pueden ver|se puede ver|hay|podemos ver|vemos|aparecen|aparece)\s+)?`),
	},
	"it": {
		openerOp(`(?i)(?:l['’]|quest['’]|questa )(?:immagine|foto(?:grafia)?) (?:mostra|ritrae|raffigura|rappresenta|presenta)\s+`),
		openerOp(`(?i)(?:nell['’]|in questa |in quest['’])(?:immagine|foto(?:grafia)?)\s*,?\s*(?:(?:si vedono|si vede|si notano|si nota|c['’]è|ci sono|possiamo vedere|vediamo)\s+)?`),
	},
	"pt": {
		openerOp(`(?i)(?:a|esta|essa) (?:imagem|foto(?:grafia)?) (?:mostra|retrata|apresenta|exibe|representa)\s+`),
		openerOp(`(?i)(?:na|nesta|nessa) (?:imagem|foto(?:grafia)?)\s*,?\s*(?:(?:é possível ver|podemos ver|vemos|vê-se|há|aparecem|aparece|temos)\s+)?`),
	},
	"nl": {
		openerOp(`(?i)(?:de|deze) (?:afbeelding|foto|illustratie) toont\s+`),
		openerRewrite(`(?i)op (?:de|deze) (?:afbeelding|foto) (?:is|zijn) (.+?) te zien([.!;,]|$)`, "${1}${2}"),
		openerOp(`(?i)op (?:de|deze) (?:afbeelding|foto) (?:zie je|zien we|ziet men|staat|staan)\s+`),
	},
	"da": {
		openerOp(`(?i)(?:billedet|dette billede|fotoet|fotografiet) viser\s+`),
		openerOp(`(?i)på (?:billedet|dette billede|fotoet) (?:ses|ser man|ser vi|er der|kan man se)\s+`),
	},
	"sv": {
		openerOp(`(?i)(?:bilden|den här bilden|fotot) (?:visar|föreställer)\s+`),
		openerOp(`(?i)på (?:bilden|den här bilden|fotot) (?:syns|ser man|ser vi|finns det|finns)\s+`),
	},
	"no": {
		openerOp(`(?i)(?:bildet|dette bildet|fotoet) viser\s+`),
		openerOp(`(?i)på (?:bildet|dette bildet|fotoet) (?:ser vi|ser man|er det|vises|kan man se)\s+`),
	},
	"fi": {
		openerOp(`(?i)(?:tässä )?kuvassa (?:on|näkyy|näkyvät|nähdään)\s+`),
		openerOp(`(?i)(?:tässä )?kuvassa,?\s+`),
	},
	"pl": {
		openerUnless(`(?i)na (?:tym |tej )?(?:zdjęciu|obrazie|obrazku|ilustracji)\s*,?\s*(?:(?:znajdują się|znajduje się|jest|są)\s+)?`,
			`(?i)(?:widać|widzimy|możemy zobaczyć|można zobaczyć|przedstawiono|pokazano)(?:\s|$)`),
	},
	"cs": {
		openerUnless(`(?i)na (?:tomto |této )?(?:obrázku|fotografii|fotce|snímku)\s*,?\s*(?:(?:se nacházejí|se nachází|je|jsou)\s+)?`,
			`(?i)(?:vidíme|je vidět|jsou vidět|můžeme vidět|vidět)(?:\s|$)`),
	},
	"hr": {
		openerUnless(`(?i)na (?:ovoj )?(?:slici|fotografiji)\s*,?\s*(?:(?:se nalaze|se nalazi|vide se|vidi se|je|su)\s+)?`,
			`(?i)(?:vidimo|možemo vidjeti)(?:\s|$)`),
	},
	"hu": {
		openerOp(`(?i)(?:ezen a|a) (?:képen|fényképen|fotón)\s*,?\s*(?:(?:láthatók|látható|vannak|van)\s+)?`),
	},
	"ro": {
		openerOp(`(?i)(?:imaginea|fotografia|această imagine|această fotografie) (?:arată|prezintă|înfățișează|ilustrează|surprinde)\s+`),
		openerOp(`(?i)în (?:această )?(?:imagine|fotografie)\s*,?\s*(?:(?:se văd|se vede|se pot vedea|se poate vedea|este|sunt|apar|apare|avem)\s+)?`),
	},
	"tr": {
		openerOp(`(?i)(?:bu )?(?:resimde|görselde|görüntüde|fotoğrafta)\s*,?\s*`),
	},
	"id": {
		openerOp(`(?i)(?:gambar|foto) (?:ini|tersebut) (?:menunjukkan|memperlihatkan|menampilkan|menggambarkan)\s+`),
		openerOp(`(?i)(?:dalam|di|pada) (?:gambar|foto) (?:ini|tersebut)\s*,?\s*(?:(?:terlihat|tampak|terdapat|ada)\s+)?`),
	},
	"vi": {
		openerOp(`(?i)(?:bức ảnh|hình ảnh|bức tranh|tấm ảnh|ảnh)(?: này)? (?:cho thấy|thể hiện|mô tả|miêu tả)\s+`),
		openerOp(`(?i)trong (?:bức ảnh|hình ảnh|bức tranh|tấm ảnh|ảnh)(?: này)?\s*,?\s*(?:(?:có|là)\s+)?`),
	},
	"fil": {
		openerOp(`(?i)ipinapakita ng (?:larawang ito|larawan|litratong ito|litrato)(?: ang)?\s+`),
		openerOp(`(?i)sa (?:larawang ito|larawan|litratong ito|litrato)\s*,?\s*(?:(?:ay mayroong|ay may|mayroong|may)\s+)?`),
	},
	"sw": {
		openerOp(`(?i)picha (?:hii )?(?:inaonyesha|inaonesha)\s+`),
		openerOp(`(?i)katika picha(?: hii)?\s*,?\s*(?:kuna\s+)?`),
	},
	"mi": {
		openerOp(`(?i)e whakaatu ana (?:tēnei|te) whakaahua i\s+`),
		openerOp(`(?i)kei (?:tēnei|te) whakaahua\s*,?\s*`),
	},
	"quz": {
		openerOp(`(?i)kay rikch'aypi(?:qa)?\s*,?\s*`),
	},
	"ru": {
		openerUnless(`(?i)на (?:этом |данном )?(?:изображении|фотографии|фото|снимке|картинке)\s*,?\s*(?:(?:изображены|изображена|изображено|изображен|изображён|показаны|показана|показано|показан|видны|видна|видно|виден|представлены|представлена|представлен)\s+)?`,
			`(?i)(?:мы видим|можно увидеть|видим)(?:\s|$)`),
	},
	"uk": {
		openerUnless(`(?i)на (?:цьому |цій )?(?:зображенні|фотографії|фото|знімку|картинці)\s*,?\s*(?:(?:є|зображений|зображена|зображені|показаний|показана|показані)\s+)?`,
			`(?i)(?:зображено|видно|показано|ми бачимо|бачимо)(?:\s|$)`),
	},
	"el": {
		openerUnless(`(?i)στην (?:εικόνα|φωτογραφία)(?: αυτή)?\s*,?\s*(?:(?:φαίνονται|φαίνεται|απεικονίζονται|απεικονίζεται|υπάρχουν|υπάρχει)\s+)?`,
			`(?i)(?:βλέπουμε|μπορούμε να δούμε)(?:\s|$)`),
	},
	"ar": {
		openerOp(`(?:تُظهر|تظهر|تعرض|توضح) (?:هذه )?الصورة\s+`),
		openerOp(`الصورة (?:تُظهر|تظهر|تعرض)\s+`),
		openerOp(`(?:في|فى) (?:هذه )?الصورة\s*[،,]?\s*(?:(?:يظهر|تظهر|نرى|يوجد|توجد|هناك)\s+)?`),
	},
	"fa": {
		openerRewrite(`این (?:تصویر|عکس) (.+?) را نشان می‌?\s?دهد([.!؟]|$)`, "${1}${2}"),
		openerOp(`در (?:این )?(?:تصویر|عکس)\s*[،,]?\s*`),
	},
	"he": {
		openerUnless(`בתמונה(?: זו| הזו)?\s*,?\s*(?:(?:נראים|נראות|נראית|נראה|רואים|יש|מופיעים|מופיעות|מופיעה|מופיע)\s+)?`, `את\s`),
		openerUnless(`התמונה (?:מציגה|מראה)\s+`, `את\s`),
	},
	"hi": {
		openerOp(`(?:इस |यह )?(?:चित्र|तस्वीर|छवि|फ़ोटो|फोटो) में\s*,?\s*`),
	},
	"ur": {
		openerOp(`(?:اس )?(?:تصویر|فوٹو) میں\s*[،,]?\s*`),
	},
	"bn": {
		openerOp(`(?:এই )?(?:ছবিতে|ছবিটিতে)\s*,?\s*`),
	},
	"te": {
		openerOp(`(?:ఈ )?(?:చిత్రంలో|ఫోటోలో)\s*,?\s*`),
	},
	"th": {
		openerOp(`(?:ภาพนี้|รูปนี้|รูปภาพนี้|ภาพ)(?:แสดงให้เห็น|แสดง)\s*`),
		openerOp(`ใน(?:รูปภาพ|ภาพ|รูป)(?:นี้)?\s*(?:มี)?\s*`),
	},
	"zh": {
		openerRewrite(`这是一(?:张|幅)(.+?)的(?:照片|图片|图像|画)([。！]|$)`, "${1}${2}"),
		openerOp(`(?:这张|这幅|该)?(?:图片|图像|照片|图)(?:中)?(?:展示了|显示了|描绘了|呈现了|展现了)[，,]?\s*`),
		openerUnless(`(?:在)?(?:这张|这幅)?(?:图片|图像|照片|图)(?:中|里)[，,]?\s*(?:(?:我们可以看到|可以看到|能看到|有)\s*)?`, `的`),
	},
	"zh-Hant": {
		openerRewrite(`這是一(?:張|幅)(.+?)的(?:照片|圖片|圖像|畫)([。！]|$)`, "${1}${2}"),
		openerOp(`(?:這張|這幅|該)?(?:圖片|圖像|照片|圖)(?:中)?(?:展示了|顯示了|描繪了|呈現了|展現了)[，,]?\s*`),
		openerUnless(`(?:在)?(?:這張|這幅)?(?:圖片|圖像|照片|圖)(?:中|裡|裏)[，,]?\s*(?:(?:我們可以看到|可以看到|能看到|有)\s*)?`, `的`),
	},
	"ja": {
		openerRewrite(`(?:この)?(?:画像|写真|イラスト)(?:は|では)[、,]?\s*(.+?)(?:を|が)(?:示して|写して|描いて|表して|映して)います([。！]|$)`, "${1}${2}"),
		openerOp(`(?:この)?(?:画像|写真|イラスト)には[、,]?\s*`),
		openerOp(`(?:この)?(?:画像|写真|イラスト)では[、,]\s*`),
	},
	"ko": {
		openerRewrite(`이 (?:이미지|사진|그림)(?:은|는) (.+?)(?:을|를) 보여\s?(?:줍니다|주고 있습니다)([.!]|$)`, "${1}${2}"),
		openerOp(`(?:이 )?(?:이미지|사진|그림)(?:에는|에서는)\s*,?\s*`),
	},
}

func init() {
	// Languages that share a script variant and its boilerplate.
	openerRules["yue"] = openerRules["zh-Hant"]
	openerRules["ms"] = openerRules["id"]
}
