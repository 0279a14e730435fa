// Chosen for precision over recall: phrases rather than lone words that are common in ordinary
// text ("kill the process", "shoot an email", "AWS KMS", "replace XXX" must not trigger). Matching is
// case-insensitive, whitespace-tolerant and at word boundaries (see phrase_matcher.hpp).
#include "policies/content_filter/lexicon.hpp"


namespace kt::policies {
namespace {

constexpr std::string_view kHate[] = {          "subhuman",           "sub-human",          "ethnic cleansing",
    "white power",         "white supremacy",    "white supremacist",  "racial purity",
    "master race",         "inferior race",      "go back to your country",
    "go back where you came from",               "heil hitler",        "sieg heil",
    "race traitor",        "should be exterminated",                   "exterminate them all",      "untermensch",        "mud people",
    "don't belong in this country",              "are a disease on society",        "14/88",              "racial holy war"};

constexpr std::string_view kViolence[] = {
    "kill you",           "kill him",          "kill her",           "kill them",
    "kill everyone",      "going to kill",     "gonna kill",         "i will kill",
    "murder you",         "murder him",        "murder her",         "murder them",
    "shoot you",          "shoot him",         "shoot them",         "shoot up the",
    "stab you",           "stab him",          "stab her",           "beat you to death",
    "beat him to death",  "mass shooting",     "school shooting",    "massacre",
    "behead",             "beheading",         "build a bomb",       "make a bomb",
    "pipe bomb",          "bomb threat",       "torture you",        "slaughter them",
    "terrorist attack"};

constexpr std::string_view kSexual[] = {
    "porn",            "porno",            "pornography",    "pornographic",   "send nudes",
    "nudes",           "nude photos",      "naked pictures", "explicit sex",   "sex scene",
    "sexual intercourse", "have sex",      "having sex",     "hardcore sex",   "blowjob",
    "handjob",         "orgasm",           "masturbate",     "masturbation",
    "genitals",       "sex tape",       "strip for me"};

constexpr std::string_view kSelfHarm[] = {
    "kill myself",       "killing myself",    "suicide",           "suicidal",
    "commit suicide",    "self-harm",         "self harm",         "selfharm",
    "cut myself",        "cutting myself",    "hurt myself",       "hurting myself",
    "end my life",       "ending my life",    "take my own life",  "want to die",         "overdose on",       "hang myself",       "slit my wrists",   "no reason to live", "starve myself",     "jump off a bridge",
    "don't want to live",};

// Mild terms (weight 1): on their own they suggest the category rather than show it; they trip
// `threshold: low`, or `medium` together with another match.
constexpr std::string_view kHateMild[] = {"i hate all", "death to all", "final solution"};
constexpr std::string_view kViolenceMild[] = {"fight to the death", "beat the crap out of"};
constexpr std::string_view kSexualMild[] = {"nsfw", "horny", "onlyfans", "erotica", "erotic story", "sexting", "bdsm"};
constexpr std::string_view kSelfHarmMild[] = {"better off dead", "end it all", "wanna die", "not worth living"};

}  // namespace

std::span<const std::string_view> content_lexicon_mild(std::string_view category) {
  if (category == "hate") return kHateMild;
  if (category == "violence") return kViolenceMild;
  if (category == "sexual") return kSexualMild;
  if (category == "self_harm") return kSelfHarmMild;
  return {};
}

std::span<const std::string_view> content_lexicon(std::string_view category) {
  if (category == "hate") return kHate;
  if (category == "violence") return kViolence;
  if (category == "sexual") return kSexual;
  if (category == "self_harm") return kSelfHarm;
  return {};
}

}  // namespace kt::policies
