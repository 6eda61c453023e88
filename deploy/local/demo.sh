#!/usr/bin/env bash
# Loads the demo organization through the public API (kpoctl). Called by up.sh with
# KPO_TOKEN set to an org_admin token of organization "acme".
# Usage: demo.sh <kpoctl> <state-dir>
set -euo pipefail
kpoctl="$1"
state="$2"
set -x
"$kpoctl" orgs create acme --display-name "Acme Manufacturing" --maturity spreading \
  --objective "lead-time:Halve order-to-delivery lead time:2028" \
  --objective "zero-harm:Zero lost-time injuries:2027" \
  --objective "first-pass-yield:First-pass yield above 98%:2028"

"$kpoctl" sites create lyon --display-name "Lyon assembly plant" --time-zone Europe/Paris --code LYO
"$kpoctl" sites create monterrey --display-name "Monterrey plant" --time-zone America/Monterrey --code MTY
"$kpoctl" sites create pune --display-name "Pune engineering centre" --time-zone Asia/Kolkata --code PNQ
for site in lyon monterrey pune; do
  "$kpoctl" areas create "$site" assembly --display-name "Final assembly" --kind value_stream
  "$kpoctl" areas create "$site" machining --display-name "Machining cell" --kind process
  "$kpoctl" areas create "$site" logistics --display-name "Inbound logistics" --kind department
done

csv="$state/demo-people.csv"
{
  echo "person_id,display_name,email,employee_id,site,area,roles,manager"
  echo "ceo,Helena Moreau,helena.moreau@acme.example,E0001,lyon,,senior_leader,"
  echo "kpo-lead,Kenji Watanabe,kenji.watanabe@acme.example,E0002,lyon,,kpo_specialist,ceo"
  echo "sensei,Ruth Okafor,ruth.okafor@sensei.example,X0001,lyon,,external_sensei,"
  echo "controller,Ingrid Larsen,ingrid.larsen@acme.example,E0003,lyon,,finance,ceo"
  n=10
  for site in lyon monterrey pune; do
    echo "$site-mgr,Manager of $site,$site.mgr@acme.example,E$((n += 1)),$site,,middle_manager,ceo"
    echo "$site-kpo,KPO specialist $site,$site.kpo@acme.example,E$((n += 1)),$site,,kpo_specialist,kpo-lead"
    for t in 1 2; do
      area=$([ $t = 1 ] && echo assembly || echo machining)
      echo "$site-tl-$t,Team leader $t $site,$site.tl$t@acme.example,E$((n += 1)),$site,$area,team_leader,$site-mgr"
    done
    for m in 1 2 3 4 5 6 7 8; do
      t=$(( (m - 1) / 4 + 1 ))
      area=$([ $t = 1 ] && echo assembly || echo machining)
      echo "$site-tm-$m,Team member $m $site,$site.tm$m@acme.example,E$((n += 1)),$site,$area,team_member,$site-tl-$t"
    done
  done
} >"$csv"
"$kpoctl" people import "$csv"

"$kpoctl" coaching create --id kpo-lead-lyon-mgr --coach kpo-lead --learner lyon-mgr --second-coach sensei --per-week 2
"$kpoctl" coaching create --id lyon-mgr-tl-1 --coach lyon-mgr --learner lyon-tl-1 --second-coach kpo-lead --per-week 5
"$kpoctl" coaching create --id lyon-tl-1-tm-1 --coach lyon-tl-1 --learner lyon-tm-1 --second-coach lyon-mgr --per-week 5
"$kpoctl" coaching create --id monterrey-mgr-tl-1 --coach monterrey-mgr --learner monterrey-tl-1 --second-coach monterrey-kpo --per-week 3
"$kpoctl" coaching create --id pune-tl-2-tm-5 --coach pune-tl-2 --learner pune-tm-5 --per-week 5

# ---- Kaizen events across the sites, in different states.
# The kaizen service checks people, sites and areas against its replica of the
# directory, which fills from kpo.people.v1 within seconds: wait for all of it.
set +x
for _ in $(seq 300); do
  status="$("$kpoctl" --output json ops status --service kaizen 2>/dev/null || true)"
  if echo "$status" | grep -q '"person": "40"' && echo "$status" | grep -q '"area": "9"' &&
     echo "$status" | grep -q '"site": "3"'; then
    break
  fi
  sleep 0.2
done
set -x
tick() {  # tick <event> <item>...
  local event="$1"
  shift
  for item in "$@"; do "$kpoctl" events tick "$event" "$item"; done
}
plan() {  # plan <id> <site> <area> <type> <title> <facilitator> <leader> <objective> <start> <end> <metric> <member>...
  local id="$1" site="$2" area="$3" type="$4" title="$5" fac="$6" leader="$7" objective="$8"
  local start="$9" end="${10}" metric="${11}"
  shift 11
  local members=()
  for m in "$@"; do members+=(--member "$m"); done
  "$kpoctl" events create "$id" --title "$title" --site "$site" --area "$area" --type "$type"
  "$kpoctl" events charter-set "$id" --problem "$title: too much waste" --purpose "$title" \
    --customer "Next process downstream" --process-start "order released" --process-end "goods shipped" \
    --in-scope "$area" --out-of-scope "IT systems" --objective "$objective" \
    --goal "Reach the target of every metric" --start "$start" --end "$end" --sponsor ceo \
    --team-leader "$leader" --facilitator "$fac" "${members[@]}"
  "$kpoctl" events metrics-set "$id" --metric "$metric"
  "$kpoctl" events money "$id" --cost EUR:8500 --estimated EUR:42000/annual/hard
}
through_completion() {  # through_completion <id> <metric-id> <result> <completion-date>
  tick "$1" select scope team
  "$kpoctl" events charter "$1"
  tick "$1" baseline area-ready
  "$kpoctl" events start "$1"
  "$kpoctl" events result "$1" --metric-id "$2" --value "$3"
  tick "$1" report-out thirty-day-list
  "$kpoctl" events complete "$1" --date "$4"
  tick "$1" owner weekly-review
  "$kpoctl" events follow-up "$1"
}

# Sustained: every audit kept the gain; savings validated by finance.
plan lyon-press-smed lyon machining setup_reduction "Press 4 changeover (SMED)" kpo-lead lyon-tl-2 \
  lead-time 2026-04-20 2026-04-24 "changeover:Changeover time:min:lower:95:30" \
  lyon-tm-5 lyon-tm-6 lyon-tm-7 monterrey-tm-1 pune-tm-1
through_completion lyon-press-smed changeover 28 2026-04-24
"$kpoctl" audits record lyon-press-smed day-30 --measure changeover=29
"$kpoctl" audits record lyon-press-smed day-60 --measure changeover=31
"$kpoctl" audits record lyon-press-smed day-90 --measure changeover=30 --notes "Standard held by both shifts"
"$kpoctl" events money lyon-press-smed --realized EUR:51000/annual/hard
"$kpoctl" events validate-savings lyon-press-smed --note "Checked against the Q3 overtime report"

# Backslid: the 60-day audit found most of the gain lost; a redo is proposed.
plan monterrey-warehouse-5s monterrey logistics five_s "Warehouse 5S" monterrey-kpo monterrey-tl-1 \
  zero-harm 2026-05-11 2026-05-13 "search:Search time per pick:s:lower:120:40" \
  monterrey-tm-1 monterrey-tm-2 monterrey-tm-3 monterrey-tm-4 lyon-tm-1
through_completion monterrey-warehouse-5s search 35 2026-05-13
"$kpoctl" audits record monterrey-warehouse-5s day-30 --measure search=45
"$kpoctl" audits record monterrey-warehouse-5s day-60 --measure search=95 --notes "Labels gone after the layout change"
"$kpoctl" actions add monterrey-warehouse-5s --id relabel --what "Re-label the fast-mover racks" \
  --owner monterrey-tl-1 --due 2026-08-15
"$kpoctl" events create monterrey-warehouse-5s-redo --title "Warehouse 5S, second round" \
  --site monterrey --area logistics --type five_s --reopens monterrey-warehouse-5s

# In follow-up with audits coming up, facilitated by the line.
plan lyon-assembly-flow lyon assembly rapid_improvement "Final assembly one-piece flow" lyon-mgr lyon-tl-1 \
  lead-time 2026-10-05 2026-10-09 "wip:Work in process:units:lower:60:15" \
  lyon-tm-1 lyon-tm-2 lyon-tm-3 lyon-tm-4 pune-tm-2
through_completion lyon-assembly-flow wip 18 2026-10-09
"$kpoctl" actions add lyon-assembly-flow --id kanban --what "Kanban loop for sub-assemblies" \
  --owner lyon-tl-1 --due 2026-11-06
"$kpoctl" actions add lyon-assembly-flow --id board --what "Hourly board at the line" \
  --owner lyon-tm-2 --due 2026-12-15

# In progress, facilitated by a line manager.
plan pune-vsa pune assembly value_stream_analysis "Engineering change value stream" pune-mgr pune-tl-1 \
  first-pass-yield 2026-11-16 2026-11-20 "fpy:First-pass yield:%:higher:91:98" \
  pune-tm-1 pune-tm-2 pune-tm-3 pune-tm-4 pune-kpo
tick pune-vsa select scope team
"$kpoctl" events charter pune-vsa
tick pune-vsa baseline area-ready
"$kpoctl" events start pune-vsa

# Chartered, and a cancelled proposal.
plan monterrey-tpm monterrey machining total_productive_maintenance "Press line autonomous maintenance" \
  monterrey-kpo monterrey-tl-2 first-pass-yield 2027-01-18 2027-01-22 "oee:OEE:%:higher:61:75" \
  monterrey-tm-5 monterrey-tm-6 monterrey-tm-7 monterrey-tm-8 lyon-tm-8
tick monterrey-tpm select scope team
"$kpoctl" events charter monterrey-tpm
"$kpoctl" events create pune-canteen-5s --title "Canteen 5S" --site pune --type five_s
"$kpoctl" events cancel pune-canteen-5s --reason "Outside the value streams; handed to facilities"

# ---- Daily kaizen: ideas in every state across the sites, impact in two currencies.
# The daily service checks people, sites and areas against its own replica: wait for it.
set +x
for _ in $(seq 300); do
  status="$("$kpoctl" --output json ops status --service daily 2>/dev/null || true)"
  if echo "$status" | grep -q '"person": "40"' && echo "$status" | grep -q '"area": "9"' &&
     echo "$status" | grep -q '"site": "3"'; then
    break
  fi
  sleep 0.2
done
set -x
idea() {  # idea <id> <site> <area> <category> <submitter> <title> <problem> <countermeasure> [options]
  local id="$1" site="$2" area="$3" category="$4" submitter="$5" title="$6" problem="$7" fix="$8"
  shift 8
  "$kpoctl" ideas create "$id" --site "$site" --area "$area" --category "$category" \
    --submitter "$submitter" --title "$title" --problem "$problem" --countermeasure "$fix" "$@"
}
# A kaizen circle at Lyon's machining cell owns the first idea.
"$kpoctl" circles create lyon-machining-circle --display-name "Machining cell circle" \
  --site lyon --area machining --member lyon-tl-2 --member lyon-tm-5 --member lyon-tm-6 \
  --member lyon-tm-7 --leader lyon-tl-2
# Standardized, with an annual hard saving finance validated (EUR).
idea lyon-shadow-board lyon machining delivery lyon-tm-5 "Shadow board at press 4" \
  "Tools are searched for at every changeover" "A shadow board beside the press" \
  --circle lyon-machining-circle --objective lead-time --target EUR:6000 --forecast EUR:5000 --recurrence annual --kind hard
"$kpoctl" ideas accept lyon-shadow-board
"$kpoctl" ideas start lyon-shadow-board
"$kpoctl" ideas implement lyon-shadow-board
"$kpoctl" ideas impact lyon-shadow-board --actual EUR:5400
"$kpoctl" ideas validate-impact lyon-shadow-board --note "Checked against the overtime report"
"$kpoctl" ideas standardize lyon-shadow-board
# Implemented, one-time saving validated (USD), at Monterrey.
idea monterrey-drip-tray monterrey machining safety monterrey-tm-6 "Drip tray under the press" \
  "Oil on the floor at press 2" "A drip tray and an anti-slip mat" \
  --objective zero-harm --forecast USD:1200 --recurrence one_time --kind soft
"$kpoctl" ideas accept monterrey-drip-tray
"$kpoctl" ideas implement monterrey-drip-tray
"$kpoctl" ideas impact monterrey-drip-tray --actual USD:1500
"$kpoctl" ideas validate-impact monterrey-drip-tray --note "Cleaning contract invoice"
# In progress, accepted, rejected (with feedback), withdrawn, and waiting for review.
idea pune-checklist pune assembly quality pune-tm-3 "Torque checklist at station 3" \
  "Loose fasteners found at final test" "A checklist with the torque values" \
  --objective first-pass-yield
"$kpoctl" ideas accept pune-checklist
"$kpoctl" ideas start pune-checklist
idea lyon-kitting lyon assembly delivery lyon-tm-2 "Kitting cart for sub-assemblies" \
  "Walking to the supermarket four times an hour" "A kitting cart filled by logistics"
"$kpoctl" ideas accept lyon-kitting
idea monterrey-second-forklift monterrey logistics cost monterrey-tm-2 "A second forklift" \
  "Trucks wait at the dock" "Buy a second forklift"
"$kpoctl" ideas reject monterrey-second-forklift \
  --reason "The wait is in the loading sequence; bring it to the dock kaizen in January"
idea pune-music pune assembly people pune-tm-6 "Music at the line" "Quiet afternoons" \
  "A radio at the line"
"$kpoctl" ideas withdraw pune-music
idea lyon-label-printer lyon assembly quality lyon-tm-3 "Label printer at the line" \
  "Labels are fetched from the office" "A label printer at station 1" --objective first-pass-yield
idea pune-led-lights pune machining safety pune-tm-7 "LED work lights" \
  "Poor light at the inspection table" "LED lights above the table"

# ---- Improvement kata: storyboards with experiments and coaching cycles. Cycles need
# the coaching relationships (created above) in the daily service's replica.
set +x
for _ in $(seq 300); do
  status="$("$kpoctl" --output json ops status --service daily 2>/dev/null || true)"
  if echo "$status" | grep -q '"coaching_relationship": "5"'; then
    break
  fi
  sleep 0.2
done
set -x
ago() { date -u -d "$1 days ago" +%F; }  # yesterday in UTC is never after today at any site
"$kpoctl" storyboards create lyon-tl-1-flow --learner lyon-tl-1 --coach lyon-mgr \
  --challenge "Deliver every order within 48 hours" --objective lead-time \
  --target "Final assembly flows one piece at a time at the 90 s takt" \
  --metric "pieces waiting between stations" --achieve-by 2027-03-31 \
  --current "14 pieces waiting on average; stations 2 and 3 batch by 5" --focus "Final assembly" \
  --site lyon --area assembly \
  --obstacle "Station 3 changeover takes 12 minutes" --obstacle "Kits arrive incomplete"
"$kpoctl" storyboards obstacle set lyon-tl-1-flow 1 --status working_on
"$kpoctl" experiments create lyon-tl-1-flow pre-stage --date "$(ago 6)" --obstacle 1 \
  --step "Pre-stage the fixture for the next model during the run" \
  --expected "Changeover under 8 minutes" --result "9 minutes" \
  --learning "The fixture is ready; the torque tool setting is the next delay"
"$kpoctl" experiments create lyon-tl-1-flow torque-presets --date "$(ago 2)" --obstacle 1 \
  --step "Two preset torque tools, one per model" --expected "Changeover under 6 minutes"
cycle() {  # cycle <storyboard> <days ago> <minutes> <next step>
  "$kpoctl" coaching-cycles record "$1" --date "$(ago "$2")" --minutes "$3" \
    --target "See the storyboard's target condition" --actual "Measured at the start of the shift" \
    --obstacles "The one marked working on" --next-step "$4" --when "Tomorrow at the start of the shift" \
    --review "Step taken; result and learning recorded on the experiment"
}
cycle lyon-tl-1-flow 5 12 "Pre-stage the fixture; expect under 8 minutes"
cycle lyon-tl-1-flow 1 10 "Preset torque tools; expect under 6 minutes"
# The KPO lead coaches the Lyon manager (the manager's own practice), with the sensei.
"$kpoctl" storyboards create lyon-mgr-coaching --learner lyon-mgr --coach kpo-lead \
  --challenge "Every team leader coaches daily" --objective lead-time \
  --target "Both team leaders get a coaching cycle five days a week" \
  --metric "coaching cycles per team leader per week" --achieve-by 2027-06-30 \
  --current "Two cycles a week, mostly on Mondays" --obstacle "Morning meeting overruns"
"$kpoctl" coaching-cycles record lyon-mgr-coaching --date "$(ago 2)" --minutes 15 --second-coach sensei \
  --target "Five cycles a week per team leader" --actual "Three last week" \
  --obstacles "Morning meeting overruns; working on it" --next-step "Time-box the meeting to 10 minutes" \
  --when "Friday"
# Monterrey's team leader has not been coached for twelve days: overdue.
"$kpoctl" storyboards create monterrey-tl-1-oee --learner monterrey-tl-1 --coach monterrey-mgr \
  --challenge "First-pass yield above 98%" --objective first-pass-yield \
  --target "Press line scrap below 1.5% per shift" --metric "scrap %" --achieve-by 2027-02-28 \
  --current "3.2% scrap, mostly at start-up" --obstacle "Die temperature at start-up"
cycle monterrey-tl-1-oee 12 8 "Pre-heat the die before the shift; expect scrap under 2.5%"
"$kpoctl" cadence --overdue 7

# ---- Gemba walks with follow-ups: one overdue, one done, one not yet due.
"$kpoctl" gemba create lyon-assembly-walk --leader lyon-mgr --site lyon --area assembly \
  --date "$(ago 3)" --objective lead-time \
  --purpose "Final assembly builds the customer's order in sequence" \
  --alignment "Waiting between stations is most of our lead time" \
  --right-thing "Station 3 builds a batch of 5 ahead of the sequence: not the right thing now" \
  --observation "14 pieces waiting between stations 2 and 3" \
  --observation "Incomplete kits stop station 4 twice an hour"
"$kpoctl" follow-ups create lyon-assembly-walk kits --description "Find why kits arrive incomplete" \
  --owner lyon-tl-1 --due "$(ago 1)"
"$kpoctl" follow-ups create lyon-assembly-walk batch-rule --description "Stop the batch-of-5 rule at station 3" \
  --owner lyon-tl-1 --due "$(ago 2)"
"$kpoctl" follow-ups update lyon-assembly-walk batch-rule --status done
"$kpoctl" follow-ups create lyon-assembly-walk takt-board --description "A takt board at the end of the line" \
  --owner lyon-tl-2 --due "$(date -u -d '10 days' +%F)"
"$kpoctl" gemba create monterrey-press-walk --leader ceo --site monterrey --area machining \
  --date "$(ago 5)" --objective zero-harm \
  --purpose "The press line feeds machining and assembly" \
  --alignment "Two near misses this quarter at the press" \
  --right-thing "Yes, but scrap at start-up is paid for twice" \
  --observation "Oil on the floor at press 2 (an idea is already implemented)"
"$kpoctl" follow-ups list --overdue

# ---- Yokoten: Lyon's shadow board shared with similar places; a task in each state.
in_days() { date -u -d "$1 days" +%F; }
"$kpoctl" practices share lyon-shadow-board shadow-board \
  --target "monterrey/machining,monterrey-tl-2,$(in_days 14)" \
  --target "pune/machining,pune-tl-2,$(in_days 14)" \
  --target "lyon/assembly,lyon-tl-1,$(in_days 7)" \
  --target "monterrey/assembly,monterrey-tl-1,$(in_days 21)"
"$kpoctl" deployment-tasks resolve shadow-board monterrey-machining --outcome adopted \
  --team monterrey-tl-2 --team monterrey-tm-5
"$kpoctl" deployment-tasks resolve shadow-board pune-machining --outcome adapted \
  --reason "Two boards, one per press line, labelled in English and Marathi"
"$kpoctl" deployment-tasks resolve shadow-board lyon-assembly --outcome not_applicable \
  --reason "Assembly has no changeover tools; its kitting cart idea covers the search"
"$kpoctl" practices list

# ---- People development: what each role is expected to master, assessments at Lyon's
# assembly line (the managers assess their people), and the gaps they leave.
"$kpoctl" target-profiles create team-member --name "Team member" --role team_member \
  --target five-s=2 --target standard-work=2 --target pdca=1
"$kpoctl" target-profiles create team-leader --name "Team leader" --role team_leader \
  --target five-s=3 --target standard-work=3 --target pdca=2 --target coaching-kata=2 \
  --target talent-development=2
"$kpoctl" target-profiles create middle-manager --name "Middle manager" --role middle_manager \
  --target coaching-kata=3 --target value-stream-mapping=2 --target strategic-orientation=3 \
  --target change-leadership=3
"$kpoctl" target-profiles create kpo-specialist --name "KPO specialist" --role kpo_specialist \
  --target value-stream-mapping=4 --target a3-problem-solving=4 --target improvement-kata=4 \
  --target coaching-kata=4 --target group-leadership=3
# The KPO at corporate level is expected to steer the transformation as well.
"$kpoctl" target-profiles create kpo-corporate --name "KPO, corporate level" --role kpo_specialist \
  --kpo-level corporate --target strategic-orientation=4 --target change-leadership=4
assess() {  # assess <person> <competency> <level> <days ago> <evidence>
  "$kpoctl" assessments record "$1" "$2" "$3" --date "$(ago "$4")" --evidence "$5"
}
assess lyon-tl-1 five-s 3 40 "Runs the weekly 5S audit of the line"
assess lyon-tl-1 standard-work 2 40 "Keeps the standard; not yet improving it with the team"
assess lyon-tl-1 pdca 2 40 "Two experiment records on the storyboard"
assess lyon-tl-1 coaching-kata 1 40 "Knows the five questions; first coaching cycles"
assess lyon-tl-1 coaching-kata 2 3 "Coaches lyon-tm-1 daily with the five questions"
for m in 1 2 3 4; do
  assess "lyon-tm-$m" five-s $(( m % 3 + 1 )) 20 "Observed at the 5S audit"
  assess "lyon-tm-$m" standard-work $(( (m + 1) % 3 + 1 )) 20 "Observed at the station"
done
assess lyon-tm-1 pdca 1 10 "Ran one experiment on the storyboard"
assess lyon-mgr coaching-kata 2 30 "Coaches both team leaders; second coach of lyon-tl-1"
assess lyon-mgr value-stream-mapping 2 30 "Mapped the assembly value stream with the KPO"
"$kpoctl" skills matrix --area lyon/assembly
"$kpoctl" skills profile lyon-tl-1

# ---- Portfolios fill themselves from the events above: completed kaizen events credit
# their teams and facilitators, coaching cycles their coaches, implemented ideas their
# submitters, adopted practices both teams. A transformation project is entered by hand
# and approved by a certifier.
"$kpoctl" evidence add lyon-mgr assembly-flow --kind transformation_project \
  --title "One-piece flow from kitting to final test" --site lyon --date "$(ago 60)" \
  --value-stream lyon/assembly --value-stream lyon/logistics \
  --description "Plan: lead time 9 days. Do: kitting cart, takt board. Check: 4 days. Act: standard work."
"$kpoctl" evidence approve lyon-mgr assembly-flow
"$kpoctl" evidence list lyon-mgr

# ---- The KPO office: a corporate lead, a specialist per site at different levels, and
# a team member lent to the kaizen pool for three months; costs in each site's currency.
"$kpoctl" kpo-office add kpo-lead kpo-lead --level corporate --share 100 --cost EUR:12000.00 --start 2025-01-06
"$kpoctl" kpo-office add lyon-kpo lyon-kpo --level value_stream --value-stream lyon/assembly \
  --share 100 --cost EUR:7500.00 --start 2025-03-03
"$kpoctl" kpo-office add monterrey-kpo monterrey-kpo --level business_unit \
  --business-unit "North America" --share 100 --cost USD:6800.00 --start 2025-04-01
"$kpoctl" kpo-office add pune-kpo pune-kpo --level value_stream --value-stream pune/machining \
  --share 80 --cost INR:350000.00 --start 2025-06-02
"$kpoctl" kpo-office add lyon-tm-3 lyon-pool-tm-3 --level value_stream --value-stream lyon/assembly \
  --share 50 --kaizen-pool --start "$(ago 30)" --end "$(in_days 60)" --cost EUR:3800.00
"$kpoctl" kpo-office list

# ---- Certification, people at different stages. The KPO records Knowledge exams; the
# portfolios hold what the events above credited and older work entered by hand and
# approved by a certifier. Applications are accepted only once the portfolio meets the
# level, so wait until the credited evidence has arrived.
"$kpoctl" certification requirements list
exam() {  # exam <person> <days ago> <score>
  "$kpoctl" certification exam "$1" --exam "Lean fundamentals, KPO written exam" \
    --date "$(ago "$2")" --score "$3"
}
past() {  # past <person> <id> <kind> <days ago> <site> <title>
  "$kpoctl" evidence add "$1" "$2" --kind "$3" --title "$6" --site "$5" --date "$(ago "$4")" \
    --description "Entered from the paper portfolio kept before the platform"
  "$kpoctl" evidence approve "$1" "$2"
}
wait_ready() {  # wait_ready <person> <level>
  set +x
  for _ in $(seq 300); do
    if "$kpoctl" --output json certification progress "$1" --level "$2" 2>/dev/null |
      grep -q '"ready": true'; then
      set -x
      return 0
    fi
    sleep 0.2
  done
  set -x
  echo "demo: $1's portfolio never met $2" >&2
  "$kpoctl" certification progress "$1" --level "$2"
  return 1
}
exam lyon-mgr 200 88
exam monterrey-tl-1 90 81
exam lyon-tm-1 40 74
# Lyon's manager: the assembly-flow facilitation was credited by the kaizen event; three
# earlier events and a value stream analysis come from the paper portfolio. Bronze is
# awarded; the Silver progress shows what is still missing.
past lyon-mgr paint-smed-2024 kaizen_participation 700 lyon "Paint line SMED"
past lyon-mgr machining-5s-2024 kaizen_participation 600 lyon "Machining cell 5S"
past lyon-mgr press-tpm-2025 kaizen_participation 400 lyon "Press line TPM"
past lyon-mgr assembly-vsm-2025 value_stream_analysis 380 lyon "Assembly value stream map"
wait_ready lyon-mgr bronze
"$kpoctl" certification apply lyon-mgr lyon-mgr-bronze --level bronze \
  --statement "Facilitated the one-piece flow event; mapped the assembly value stream"
"$kpoctl" certification award lyon-mgr lyon-mgr-bronze
"$kpoctl" certification progress lyon-mgr
# Monterrey's team leader: the warehouse 5S participation was credited; the application
# waits for a certifier.
past monterrey-tl-1 kitting-2025 kaizen_participation 300 monterrey "Kitting area kaizen"
past monterrey-tl-1 dock-2025 kaizen_participation 250 monterrey "Receiving dock flow"
past monterrey-tl-1 scrap-a3-2025 kaizen_facilitation 200 monterrey "Press scrap A3 event"
past monterrey-tl-1 logistics-vsm-2025 value_stream_analysis 180 monterrey "Inbound value stream map"
wait_ready monterrey-tl-1 bronze
"$kpoctl" certification apply monterrey-tl-1 monterrey-tl-1-bronze --level bronze
# Lyon's team member 1: two events credited; still needs a participation, a
# facilitation and a value stream analysis.
"$kpoctl" certification progress lyon-tm-1
"$kpoctl" certification certificates

# ---- The curriculum: modules, a learning path per role, sessions with enrolments (one
# full with a waiting list), and a short session that starts during the demo so that
# its trainer can record attendance and completions.
"$kpoctl" modules create lean-basics --title "Lean basics: flow, waste and 5S" --minutes 240 \
  --competency lean-principles --competency five-s
"$kpoctl" modules create kata-coaching --title "Improvement and coaching kata" --minutes 480 \
  --competency improvement-kata --competency coaching-kata
"$kpoctl" modules create vsm-workshop --title "Value stream mapping workshop" --minutes 960 \
  --competency value-stream-mapping
"$kpoctl" learning-paths create team-member --title "Team member" --role team_member --module lean-basics
"$kpoctl" learning-paths create team-leader --title "Team leader" --role team_leader \
  --module lean-basics --module kata-coaching
"$kpoctl" learning-paths create middle-manager --title "Middle manager" --role middle_manager \
  --module kata-coaching --module vsm-workshop
"$kpoctl" training-sessions schedule lyon-kata-dec --module kata-coaching --trainer kpo-lead \
  --site lyon --place "Training room B" --start "$(date -u -d "+14 days" +%Y-%m-%dT08:00:00Z)" --capacity 3
for person in lyon-tl-1 lyon-tl-2 monterrey-tl-1; do
  "$kpoctl" enrolments enrol lyon-kata-dec "$person"
done
"$kpoctl" enrolments enrol lyon-kata-dec pune-tl-1 --waitlist
"$kpoctl" training-sessions schedule pune-vsm-jan --module vsm-workshop --trainer pune-kpo \
  --site pune --place "Engineering centre, room 2" --start "$(date -u -d "+40 days" +%Y-%m-%dT04:30:00Z)" --capacity 12
"$kpoctl" enrolments enrol pune-vsm-jan pune-mgr
starts="$(date -u -d "+8 seconds" +%Y-%m-%dT%H:%M:%SZ)"
"$kpoctl" training-sessions schedule lyon-lean-basics --module lean-basics --trainer lyon-kpo \
  --site lyon --place "Assembly line, gemba" --start "$starts" --capacity 8
for person in lyon-tm-1 lyon-tm-2 lyon-tm-3 lyon-tm-4; do
  "$kpoctl" enrolments enrol lyon-lean-basics "$person"
done
set +x
while [ "$(date -u +%s)" -le "$(date -u -d "$starts" +%s)" ]; do sleep 0.5; done
set -x
"$kpoctl" enrolments outcome lyon-lean-basics lyon-tm-1 --passed --score 92
"$kpoctl" enrolments outcome lyon-lean-basics lyon-tm-2 --passed --score 81
"$kpoctl" enrolments outcome lyon-lean-basics lyon-tm-3 --score 48
"$kpoctl" enrolments outcome lyon-lean-basics lyon-tm-4 --no-show
"$kpoctl" training-sessions list --all
"$kpoctl" enrolments list lyon-kata-dec

# ---- Development plans are the person's own: lyon-tm-1 writes theirs with their team
# leader (tokens for them, signed with the local stack's secret).
person_token() {  # person_token <person> <role>
  "$kpoctl" token mint --org acme --roles "$2" --subject "$1" --secret-file "$state/secret"
}
tm1="$(person_token lyon-tm-1 team_member)"
tl1="$(person_token lyon-tl-1 team_leader)"
KPO_TOKEN="$tm1" "$kpoctl" plan set lyon-tm-1 --aspiration "Lead improvement on the assembly line" \
  --focus pdca --focus standard-work --review "$(in_days 60)"
KPO_TOKEN="$tm1" "$kpoctl" study add lyon-tm-1 toyota-kata --kind book --title "Toyota Kata (Mike Rother)" \
  --status done --reflection "Small experiments, one at a time, against a target condition"
KPO_TOKEN="$tm1" "$kpoctl" study add lyon-tm-1 lean-basics --kind course --title "Lean basics" \
  --module lean-basics --status done
KPO_TOKEN="$tl1" "$kpoctl" study add lyon-tm-1 bronze --kind certification_goal --title "Bronze certification" \
  --level bronze --status in_progress --target "$(in_days 270)"
KPO_TOKEN="$tl1" "$kpoctl" study add lyon-tm-1 pune-visit --kind site_visit \
  --title "See Pune's engineering change flow" --target "$(in_days 120)"
"$kpoctl" plan show lyon-tm-1
