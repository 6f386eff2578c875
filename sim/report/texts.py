"""The report's fixed text (plain words for readers who are not modellers) and its style."""

HOW_TO_READ = """
<ul>
<li><b>A simulation, not a measurement.</b> Every number comes from a computer model of one
gallery flat: households walking the same galleries, lifts and entrances meet, greet, chat,
help each other or get on each other's nerves. It shows what follows from the assumptions
below, not what will happen in a real flat.</li>
<li><b>Seeds are repeated runs.</b> The same flat is simulated many times with different chance
events (who happens to meet whom). Every intervention is run on the same seeds as the
reference, so a difference between them comes from the intervention, not from luck.</li>
<li><b>Intervals.</b> "12% (8–16%)" means: our best estimate is 12%, and with 95% confidence the
model's average lies between 8% and 16%. When an interval includes zero, the model cannot tell
the intervention apart from doing nothing.</li>
<li><b>When.</b> Unless a figure says otherwise, values are the average over the last simulated
year, so that activities that run part of the year (a garden group in summer) count.</li>
<li><b>Relative and absolute.</b> Headlines give relative changes ("12% more"); the tables give
changes in percentage points ("+5 pp" means from, say, 40% to 45%).</li>
<li><b>Costs</b> are the interventions' own costs (professional hours, activities, referrals,
building works) in thousands of euros a year. "Cost per extra household with a neighbour tie"
is the yearly cost divided by how many more households have at least one neighbour they get on
with.</li>
</ul>
"""

ASSUMPTIONS = """
<ul>
<li>Neighbours meet where their daily routes cross: at the mailboxes, in the lift, on the
gallery, at the entrance, in the playground. Who lives near whom, and which doors and lifts
they share, decides who meets whom.</li>
<li>A meeting becomes a greeting, a chat or an annoyance depending on what the two already think
of each other, how open they are, whether they share a language and how much trouble either
tends to cause. Bad experiences weigh about three times as much as good ones.</li>
<li>Ties grow with repeated pleasant contact and fade without it. Help goes to the neighbour one
gets on with best; helpers who carry too much pull back.</li>
<li>Supported newcomers (people moving on from a shelter or sheltered housing) recover a little
faster with good contact and slower with bad contact. Repeated unresolved nuisance can end in
eviction.</li>
<li>Many of these rates (how often people chat, how fast ties fade, how much help weighs) are
assumptions informed by the literature, not measured in this flat; each parameter's source is
listed by <code>goedeburen params</code>. The sensitivity experiment shows which of them change
the results most.</li>
<li>Interventions work through these mechanisms only: a flatcoach introduces neighbours and runs
activities, social renovation visits homes and refers people to help, a bench gives people a
reason to linger. Their unit costs and sources are in docs/INTERVENTIONS.md.</li>
</ul>
"""

LEFT_OUT = """
<ul>
<li>Life outside the building: work, family, friends elsewhere, the wider neighbourhood's
shops and services beyond a few shared places.</li>
<li>Personal histories, mental health and addiction beyond a single "recovery" score; crises
that need more than a neighbour.</li>
<li>Politics and organisation: waiting lists, landlords' and care providers' budgets, staff
turnover, whether an intervention is carried out as planned.</li>
<li>Changes in the people themselves: households keep the traits they moved in with (age
group, children, work, language); only their ties, feelings and recovery change.</li>
<li>The model is not calibrated to one real flat: it reproduces patterns reported in studies
(how many neighbours people know, how often nuisance occurs), not the numbers of a particular
building.</li>
</ul>
"""

STYLE = """
body { font-family: "Segoe UI", Helvetica, Arial, sans-serif; color: #1d2733; background: #f6f7f9;
       margin: 0; line-height: 1.45; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
h1 { font-size: 1.9em; margin-bottom: 0.1em; color: #123; }
.nl-title { font-size: 1.2em; color: #566; margin-top: 0; font-style: italic; }
h2 { border-bottom: 2px solid #dde3ea; padding-bottom: 4px; margin-top: 1.8em; color: #123; }
section { margin-bottom: 1.2em; }
.facts { color: #4a5866; font-size: 0.93em; }
.headlines { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
.headlines li { margin-bottom: 0.7em; }
.headlines h3 { margin: 0.2em 0; color: #34699a; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.88em; }
th, td { border-bottom: 1px solid #e3e7ec; padding: 5px 8px; text-align: left;
         vertical-align: top; }
th { background: #eef2f6; }
table.wide td:first-child { min-width: 180px; }
img { max-width: 100%; height: auto; display: block; margin: 8px 0; }
pre { background: #f3f5f7; padding: 10px; overflow-x: auto; font-size: 0.85em; }
code { background: #f3f5f7; padding: 1px 4px; }
"""
