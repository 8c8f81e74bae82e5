// Package metric scores captions against human references, per language,
// with the metrics the multilingual captioning literature reports
// (XM3600, mBLIP, Centurio, PaLI-X): BLEU-4 and chrF++ with sacreBLEU's
// definitions, and CIDEr-D with the COCO definition. Scores are on
// sacreBLEU's and COCO's scales: BLEU and chrF 0..100, CIDEr-D 0..10
// (usually reported x100 by papers; see CIDErD).
//
// Tokenize is the language-aware tokenisation all three use: sacreBLEU's
// 13a rules for scripts that put spaces between words, one token per
// character for Chinese, Japanese, Thai, Lao, Khmer and Burmese, which do
// not.
//
// The implementations are written from the published definitions and
// checked against independent ones: BLEU and chrF against NLTK's (Debian's
// python3-nltk) on multilingual sentence pairs, CIDEr-D against worked
// values of pycocoevalcap's definition (metric_test.go).
package metric
