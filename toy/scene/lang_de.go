package scene

// German: "Ein roter Kreis oben links, ein rotes Quadrat oben rechts und ein
// roter Stern unten rechts." The objects are nominative after "ein", so the
// adjective takes the mixed declension: -er for the masculine Kreis and
// Stern, -es for the neuter Quadrat and Dreieck. The places are adverbs
// ("oben links") or "in der Mitte", which govern no case on the noun phrase.
var german = grammar{
	spaced: true,
	marks:  []string{",", "."},
	sep:    []string{","},
	and:    []string{"und"},
	end:    []string{"."},
	item: func(it Item, first bool) []string {
		return cat(deNoun(it.Shape, it.Colour, first), words(dePlaces[it.Place]))
	},
	object: func(sh Shape, c Colour) []string {
		return cat(deNoun(sh, c, true), []string{"."})
	},
}

var (
	deShapes = [NumShapes]struct {
		noun   string
		neuter bool
	}{
		Circle:   {"Kreis", false},
		Square:   {"Quadrat", true},
		Triangle: {"Dreieck", true},
		Star:     {"Stern", false},
	}
	// Adjective stems. Standard German treats "lila" and "orange" as
	// indeclinable ("ein lila Kreis"), and the inflected "lilaner" and
	// "oranger" are colloquial, so the declinable standard words "violett"
	// and "orangefarben" are used instead.
	deColours = [NumColours]string{"rot", "grün", "blau", "gelb", "violett", "orangefarben"}
	// "links in der Mitte" rather than "in der Mitte links", which reads as
	// "in the centre, a little to the left".
	dePlaces = [NumPlaces]string{
		"oben links", "oben in der Mitte", "oben rechts",
		"links in der Mitte", "in der Mitte", "rechts in der Mitte",
		"unten links", "unten in der Mitte", "unten rechts",
	}
)

func deNoun(sh Shape, c Colour, first bool) []string {
	art, adj := "ein", deColours[c]+"er"
	if deShapes[sh].neuter {
		adj = deColours[c] + "es"
	}
	if first {
		art = title(art)
	}
	return []string{art, adj, deShapes[sh].noun}
}
