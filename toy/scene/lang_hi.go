package scene

// Hindi: "ऊपर बाईं ओर एक लाल वृत्त है, ऊपर दाईं ओर एक हरा वर्ग है और नीचे
// दाईं ओर एक नीला तारा है।" Each object is an existential clause, place
// first and verb last (SOV), which is how Hindi describes where things
// are; the sentence ends with the danda. All four shape nouns are
// masculine (वृत्त, the geometric circle rather than गोला "ball"; वर्ग;
// त्रिभुज; तारा) and stand in the direct case, so the -ā adjectives take
// their masculine direct forms हरा, नीला, पीला; लाल, बैंगनी and नारंगी never
// inflect. A feminine shape added later would need हरी, नीली, पीली.
var hindi = grammar{
	spaced: true,
	marks:  []string{",", "।"},
	sep:    []string{","},
	and:    []string{"और"},
	end:    []string{"।"},
	item: func(it Item, _ bool) []string {
		return cat(words(hiPlaces[it.Place]), hiNoun(it.Shape, it.Colour), []string{"है"})
	},
	object: func(sh Shape, c Colour) []string {
		return cat(hiNoun(sh, c), []string{"।"})
	},
}

var (
	hiShapes  = [NumShapes]string{"वृत्त", "वर्ग", "त्रिभुज", "तारा"}
	hiColours = [NumColours]string{"लाल", "हरा", "नीला", "पीला", "बैंगनी", "नारंगी"}
	// ओर is feminine, hence बाईं/दाईं; spelt without य-श्रुति as the
	// Central Hindi Directorate recommends (not बायीं).
	hiPlaces = [NumPlaces]string{
		"ऊपर बाईं ओर", "ऊपर बीच में", "ऊपर दाईं ओर",
		"बीच में बाईं ओर", "बीच में", "बीच में दाईं ओर",
		"नीचे बाईं ओर", "नीचे बीच में", "नीचे दाईं ओर",
	}
)

func hiNoun(sh Shape, c Colour) []string {
	return []string{"एक", hiColours[c], hiShapes[sh]}
}
