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
