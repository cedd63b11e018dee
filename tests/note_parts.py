"""Sentences the rule and coding tests build their short synthetic notes from, kept in one place."""

DOS = "2025-06-02"

INTRO = (
    "Procedure: trigger point injections. Indication: myofascial pain syndrome (M79.18); "
    "failed 8 weeks of PT and NSAIDs. Taut bands with twitch response. "
)
DRY_INTRO = (
    "Procedure: dry needling. Indication: myofascial pain syndrome (M79.18); "
    "failed 8 weeks of PT and NSAIDs. Taut bands with twitch response. "
)
OUTRO = " Pre-procedure pain 7/10, post 2/10. Tolerated well without complications."
