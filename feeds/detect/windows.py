"""Window sizes, in characters or words, within which the rules read two things together.

Imports nothing.
"""

# How far apart a breach word and a truce term may stand and still be read together
# ("blamed the rebel units for breaking it" refers back to "the truce" ~45 chars earlier).
BREACH_WINDOW = 80

# How close a strain word must stand to its truce ("the truce falters", "collapse of the truce"):
# farther off it describes something else ("an agreed truce; earlier attempts had failed").
STRAIN_WINDOW = 30

# How far after "despite"/"after" the truce term may come ("despite the UN-brokered truce").
CONCESSIVE_WINDOW = 60

# How far a truce term may stand from the anniversary that is its occasion ("a three-day truce
# in Ukraine to mark the 80th anniversary"): a truce declared now, not an old one.
OCCASION_WINDOW = 40

# A speaker prefix longer than this is a clause of its own, not an anaphoric subject.
MAX_ANAPHOR_WORDS = 8

# How far before a truce term a word can make it a proposal ("calls for an immediate humanitarian
# ceasefire", "pressure grows for a ceasefire"), and how far after it a topic noun or an expiry
# word still qualifies it ("ceasefire talks", "the truce with the rebels ended").
PROPOSAL_WINDOW = 32
TOPIC_WINDOW = 16
ENDED_AFTER = 40
ENDED_BEFORE = 16
# How far after a truce term, within its clause, a start word says it began ("the truce between
# the army and the rebels took effect at noon").
START_AFTER = 60

# How far after a fighting word "eases", "subsides" or "is over" may stand and still stop it.
HALT_AFTER = 24

# How much text after a name can say it was hurt ("… soldiers were killed"): a victim.
VICTIM_WINDOW = 60

# How close before an attack word a modal must stand to make it unreal ("Israel could attack").
MODAL_WINDOW = 14

# How many words before a fighting word a halt or negation may stand ("a halt to weeks of
# fighting", "no new shelling").
HALT_WORDS = 4
