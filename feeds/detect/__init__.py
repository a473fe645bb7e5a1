"""Ceasefire detection: level, who blames whom, matched terms, evidence and summary of one item.

Rules over per-language lexicons (feeds.lexicon) and actor names (feeds.actors); no models, no I/O
at call time. The steps, each explained in docs/detection.md, and the module that holds each:

1. split title and summary into sentences; guess the language (feed tag, else script) (`level`);
   scan each lexicon category once per item (`scan`);
2. find truce terms, dropping metaphorical ("trade truce") and historical ("1914 truce") ones
   (`prefilter`); mark each actor mention as a party, place, modifier or mediator (`mentions`);
3. decide, for each truce named, whether it is proposed, over or in force (`truce_state`); a
   sentence reports a breach when a breach word sits near a real truce ("violated the
   ceasefire"), a strain word near one in force ("the truce falters"), or an attack happens
   "despite"/"during"/"hours after" one in force (`breach`); without a truce word, the bot's
   own record of truces in force can make a headline attack a breach (`stream`);
4. accusations are read from frames: "X accuses Y", "X says Y shelled", "according to X",
   "X: Y broke the truce", "Y accused of ... by X", "X and Y accuse each other" (`attribution`,
   with the speaker in `speakers` and the accused in `targets`);
5. level: blame when a pair was found, violation for a breach without one, ceasefire for other
   truce news, none otherwise (`level`).

Window sizes live in `windows`. Imports go one way: `windows` and `scan` are read by every
stage; `targets` reads `speakers`; `attribution` reads `breach`, `speakers` and `targets`;
`truce_state` reads `scan`; `stream` reads `breach`; `level` reads every other stage.
"""

from feeds.detect.level import classify

__all__ = ["classify"]
