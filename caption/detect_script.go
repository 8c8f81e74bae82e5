package caption

import (
	"strings"
	"unicode"
)

// scriptTables maps Unicode script tables to ISO 15924 codes. Latin comes
// first because most letters of most captions are Latin.
var scriptTables = []struct {
	table *unicode.RangeTable
	code  string
}{
	{unicode.Latin, "Latn"}, {unicode.Han, "Hani"}, {unicode.Cyrillic, "Cyrl"},
	{unicode.Arabic, "Arab"}, {unicode.Hiragana, "Hira"}, {unicode.Katakana, "Kana"},
	{unicode.Hangul, "Hang"}, {unicode.Devanagari, "Deva"}, {unicode.Greek, "Grek"},
	{unicode.Hebrew, "Hebr"}, {unicode.Thai, "Thai"}, {unicode.Bengali, "Beng"},
	{unicode.Tamil, "Taml"}, {unicode.Telugu, "Telu"}, {unicode.Kannada, "Knda"},
	{unicode.Malayalam, "Mlym"}, {unicode.Gujarati, "Gujr"}, {unicode.Gurmukhi, "Guru"},
	{unicode.Oriya, "Orya"}, {unicode.Sinhala, "Sinh"}, {unicode.Georgian, "Geor"},
	{unicode.Armenian, "Armn"}, {unicode.Ethiopic, "Ethi"}, {unicode.Khmer, "Khmr"},
	{unicode.Lao, "Laoo"}, {unicode.Myanmar, "Mymr"}, {unicode.Tibetan, "Tibt"},
	{unicode.Thaana, "Thaa"}, {unicode.Syriac, "Syrc"}, {unicode.Mongolian, "Mong"},
	{unicode.Tifinagh, "Tfng"}, {unicode.Cherokee, "Cher"}, {unicode.Canadian_Aboriginal, "Cans"},
}

// scriptCounts holds the letters of a text per script, plus the Han
// characters that only Simplified or only Traditional Chinese writes.
type scriptCounts struct {
	by         map[string]int
	total      int
	simp, trad int
	kana, han  int
	hangul     int
	// latinNames counts the letters of all-Latin words with a capital
	// (Apple, iPhone, BMW): in text of another script they are names, not
	// a switch to a Latin-script language.
	latinNames  int
	letterWords int // white-space separated tokens that contain a letter
}

func countScripts(text string) scriptCounts {
	c := scriptCounts{by: map[string]int{}}
	var wordLatin, wordOther int
	wordUpper := false
	endWord := func() {
		if wordLatin+wordOther > 0 {
			c.letterWords++
		}
		if wordOther == 0 && wordUpper {
			c.latinNames += wordLatin
		}
		wordLatin, wordOther, wordUpper = 0, 0, false
	}
	for _, r := range text {
		if unicode.IsSpace(r) {
			endWord()
			continue
		}
		// The prolonged sound mark ー is "Common" in Unicode but only ever
		// written in Japanese kana words.
		if r == 'ー' {
			c.by["Kana"]++
			c.total++
			wordOther++
			continue
		}
		if !unicode.IsLetter(r) && !unicode.IsMark(r) {
			continue
		}
		code := ""
		for _, s := range scriptTables {
			if unicode.Is(s.table, r) {
				code = s.code
				break
			}
		}
		if code == "" {
			// Inherited combining marks belong to the letter before them;
			// counting them separately would only dilute the shares.
			continue
		}
		c.by[code]++
		c.total++
		if code == "Latn" {
			wordLatin++
			wordUpper = wordUpper || unicode.IsUpper(r)
		} else {
			wordOther++
		}
		if code == "Hani" {
			switch {
			case strings.ContainsRune(hanSimplifiedOnly, r):
				c.simp++
			case strings.ContainsRune(hanTraditionalOnly, r):
				c.trad++
			}
		}
	}
	endWord()
	c.kana = c.by["Hira"] + c.by["Kana"]
	c.han = c.by["Hani"]
	c.hangul = c.by["Hang"]
	return c
}

// share returns the fraction of letters written in the given registry
// script; the composite scripts count their parts. For a script other than
// Latin, Latin names are left out of the whole, so "Логотип Apple на
// iPhone" is all Cyrillic.
func (c scriptCounts) share(script string) float64 {
	total := c.total
	if script != "Latn" {
		total -= c.latinNames
	}
	if total <= 0 {
		return 0
	}
	n := 0
	switch script {
	case "Jpan":
		n = c.han + c.kana
	case "Kore":
		n = c.hangul + c.han
	case "Hans", "Hant", "Hani":
		n = c.han
	default:
		n = c.by[script]
	}
	return float64(n) / float64(total)
}

// dominant returns the script most letters are written in, with the
// composite codes a language check needs: Jpan for Han with kana, Kore for
// Hangul, Hans or Hant for Han text whose variant shows, else Hani.
func (c scriptCounts) dominant() (string, float64) {
	if c.total == 0 {
		return "", 0
	}
	best, bestN := "", 0
	other := c.total - c.by["Latn"]
	for code, n := range c.by {
		if code == "Latn" && other > 0 {
			n -= c.latinNames
		}
		if n > bestN || (n == bestN && code < best) {
			best, bestN = code, n
		}
	}
	switch best {
	case "Hani", "Hira", "Kana", "Hang":
		switch {
		case c.hangul > 0 && c.hangul >= c.han:
			best = "Kore"
		case c.kana > 0 && c.kanaShare() >= japaneseKanaShare:
			best = "Jpan"
		case c.kana > c.han:
			best = "Jpan"
		default:
			best = c.hanVariant()
		}
	}
	return best, c.share(best)
}

// japaneseKanaShare is the least share of kana among the Han and kana
// letters for text to count as Japanese. Japanese prose runs at 30-70% kana;
// Chinese has none but for a stray の in names, so a tenth separates them.
const japaneseKanaShare = 0.1

func (c scriptCounts) kanaShare() float64 {
	if c.han+c.kana == 0 {
		return 0
	}
	return float64(c.kana) / float64(c.han+c.kana)
}

// hanVariant names Han text Hans or Hant when its variant characters lean
// clearly one way, and Hani when they do not show.
func (c scriptCounts) hanVariant() string {
	switch {
	case c.simp > c.trad:
		return "Hans"
	case c.trad > c.simp:
		return "Hant"
	}
	return "Hani"
}

// DetectScript returns the ISO 15924 code of the script most letters of text
// are written in, and the fraction of letters in it. Han text is reported as
// Jpan when it has kana, Kore when it is Hangul, and Hans or Hant when its
// characters show the Chinese variant (else Hani). Text without letters
// returns "" and 0.
func DetectScript(text string) (script string, share float64) {
	return countScripts(text).dominant()
}

// hanSimplifiedOnly and hanTraditionalOnly pair characters (position by
// position) that differ between Simplified and Traditional Chinese and that
// the other variant does not use on its own; characters that Traditional
// text also uses (台, 后, 里, 只, 几, 干, 着 ...) are left out.
const (
	hanSimplifiedOnly  = "这个们国说张图车门马鸟东时长书边头样顶两红绿蓝黄颜树桥飞机发现画让还块条辆从为与对开关间电话视见观广场楼园鱼裤骑脸叶灯线网伞饭鸡苹汤盘岁儿爷妈孙师学习写读过进运动体戏乐声应该实际区县厅馆医药热气风阳雾阴湿浅远满摆挂举带队员务业产厂农种护价钱买卖货贝页题问闪阅闹岛湾滩码轮铁钟银锅镜钢丽乡亚亲仅优传伤则刚创剧办劳单卫历压厉双变号听围圆坏坚处备复够夹夺奋妇宝宽导尔尘层币帐帮庆库庙废异弯弹归当录忆态总恋恶惊惯战扑执扩扫扬扰报担拥择挡挤挥损换摇数断无旧显晒晓暂术杀杂权来杨极构标档梦检横欢毕汇汉沟没泪洁济浓涂涨渐温滚灭灵灾炉点烟烧爱牵状独猎献环畅疗皱盏监盖矿砖础确礼离积称穷竖笔笼签简类粮紧纪纸练组细织终经结绕绘给络统继续维绳缆罗职联肤胜胆脑脚艺节苏荣莲获营萝虽虾蚁补装规览触计认训议记讲许论设访证评识诉词译试诗语误请课谁调谈谢负贵费资赛赶跃践车轨转软轻载较达迁连迟选递遗邮邻释针钓钥铃链锁错键镇闭闯闲阶陆陈险随隐难静韩项顺须顾领频颗饮饰饱驶驾验鲜鸭鹅麦龙龟团适"
	hanTraditionalOnly = "這個們國說張圖車門馬鳥東時長書邊頭樣頂兩紅綠藍黃顏樹橋飛機發現畫讓還塊條輛從為與對開關間電話視見觀廣場樓園魚褲騎臉葉燈線網傘飯雞蘋湯盤歲兒爺媽孫師學習寫讀過進運動體戲樂聲應該實際區縣廳館醫藥熱氣風陽霧陰濕淺遠滿擺掛舉帶隊員務業產廠農種護價錢買賣貨貝頁題問閃閱鬧島灣灘碼輪鐵鐘銀鍋鏡鋼麗鄉亞親僅優傳傷則剛創劇辦勞單衛歷壓厲雙變號聽圍圓壞堅處備復夠夾奪奮婦寶寬導爾塵層幣帳幫慶庫廟廢異彎彈歸當錄憶態總戀惡驚慣戰撲執擴掃揚擾報擔擁擇擋擠揮損換搖數斷無舊顯曬曉暫術殺雜權來楊極構標檔夢檢橫歡畢匯漢溝沒淚潔濟濃塗漲漸溫滾滅靈災爐點煙燒愛牽狀獨獵獻環暢療皺盞監蓋礦磚礎確禮離積稱窮豎筆籠簽簡類糧緊紀紙練組細織終經結繞繪給絡統繼續維繩纜羅職聯膚勝膽腦腳藝節蘇榮蓮獲營蘿雖蝦蟻補裝規覽觸計認訓議記講許論設訪證評識訴詞譯試詩語誤請課誰調談謝負貴費資賽趕躍踐車軌轉軟輕載較達遷連遲選遞遺郵鄰釋針釣鑰鈴鏈鎖錯鍵鎮閉闖閒階陸陳險隨隱難靜韓項順須顧領頻顆飲飾飽駛駕驗鮮鴨鵝麥龍龜團適"
)
