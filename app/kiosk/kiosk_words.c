/* kiosk_words: the kiosk's own words in English, German and French (see kiosk_words.h). */
#include "kiosk_words.h"

#include <stddef.h>
#include <string.h>

static const UiWords ui_words[] = {
    {"en",
     "Tap to begin",
     "This kiosk is not collecting answers right now.\nPlease ask the session coordinator.",
     "This session is full.\nPlease tell the session coordinator.",
     "Out of service: the kiosk has no room left to save answers.\nPlease tell the session "
     "coordinator.",
     "Out of service: the kiosk cannot save answers right now.\nPlease tell the session "
     "coordinator.",
     "Question",
     "of",
     "Back",
     "Next",
     "Tap here to type",
     "Type here",
     "Please don't name colleagues or patients.",
     "Done",
     "Please check your answers",
     "(not answered)",
     "Edit",
     "Earlier",
     "More",
     "Submit",
     "Thank you!",
     "Your answers have been saved.",
     "Sorry, your answers could not be saved.",
     "Nothing you entered was kept. Please tell the session coordinator.",
     "OK",
     "Are you still there?",
     "Your answers will be cleared in ",
     " seconds.",
     " second.",
     "Continue",
     "Please choose an answer to continue.",
     "Please choose at least one to continue.",
     "Please choose a few more to continue.",
     "Please write a few words to continue.",
     "Or choose \xE2\x80\x9C",
     "\xE2\x80\x9D.",
     "More options",
     "Previous options",
     "options",
     "option",
     "Leave the survey?",
     "Your answers so far will be cleared.",
     "Stay",
     "Leave",
     "Nothing answered yet",
     "You have not answered any question. Submit an empty response anyway?",
     "Go back",
     "Submit anyway",
     "page",
     "The limit of ",
     " characters is reached.",
     "Larger text",
     "High contrast"},
    {"de",
     "Tippen zum Starten",
     "Dieser Kiosk nimmt gerade keine Antworten entgegen.\nBitte wenden Sie sich an die "
     "Sitzungsleitung.",
     "Diese Sitzung ist voll.\nBitte sagen Sie der Sitzungsleitung Bescheid.",
     "Au\xC3\x9F"
     "er Betrieb: Der Kiosk hat keinen Platz mehr, um Antworten zu speichern.\nBitte sagen Sie "
     "der Sitzungsleitung Bescheid.",
     "Au\xC3\x9F"
     "er Betrieb: Der Kiosk kann gerade keine Antworten speichern.\nBitte sagen Sie der "
     "Sitzungsleitung Bescheid.",
     "Frage",
     "von",
     "Zur\xC3\xBC"
     "ck",
     "Weiter",
     "Hier tippen zum Schreiben",
     "Hier schreiben",
     "Bitte nennen Sie keine Kolleginnen, Kollegen oder Patienten.",
     "Fertig",
     "Bitte pr\xC3\xBC"
     "fen Sie Ihre Antworten",
     "(nicht beantwortet)",
     "\xC3\x84ndern",
     "Vorige",
     "Mehr",
     "Absenden",
     "Vielen Dank!",
     "Ihre Antworten wurden gespeichert.",
     "Ihre Antworten konnten leider nicht gespeichert werden.",
     "Nichts von Ihren Eingaben wurde behalten. Bitte sagen Sie der Sitzungsleitung Bescheid.",
     "OK",
     "Sind Sie noch da?",
     "Ihre Antworten werden gel\xC3\xB6scht in ",
     " Sekunden.",
     " Sekunde.",
     "Weiter ausf\xC3\xBCllen",
     "Bitte w\xC3\xA4hlen Sie eine Antwort.",
     "Bitte w\xC3\xA4hlen Sie mindestens eine Antwort.",
     "Bitte w\xC3\xA4hlen Sie noch einige mehr.",
     "Bitte schreiben Sie ein paar Worte.",
     "Oder w\xC3\xA4hlen Sie \xE2\x80\x9E",
     "\xE2\x80\x9C.",
     "Weitere Antworten",
     "Vorige Antworten",
     "Antworten",
     "Antwort",
     "Befragung verlassen?",
     "Ihre bisherigen Antworten werden gel\xC3\xB6scht.",
     "Bleiben",
     "Verlassen",
     "Noch nichts beantwortet",
     "Sie haben keine Frage beantwortet. Trotzdem eine leere Antwort absenden?",
     "Zur\xC3\xBC"
     "ck",
     "Trotzdem absenden",
     "Seite",
     "Die Grenze von ",
     " Zeichen ist erreicht.",
     "Gr\xC3\xB6\xC3\x9F"
     "ere Schrift",
     "Hoher Kontrast"},
    {"fr",
     "Touchez pour commencer",
     "Ce kiosque ne recueille pas de r\xC3\xA9ponses en ce moment.\nAdressez-vous \xC3\xA0 "
     "l'animateur de la s\xC3\xA9"
     "ance.",
     "Cette s\xC3\xA9"
     "ance est compl\xC3\xA8te.\nPr\xC3\xA9venez l'animateur de la s\xC3\xA9"
     "ance.",
     "Hors service : le kiosque n'a plus de place pour enregistrer les r\xC3\xA9ponses.\n"
     "Pr\xC3\xA9venez l'animateur de la s\xC3\xA9"
     "ance.",
     "Hors service : le kiosque ne peut pas enregistrer de r\xC3\xA9ponses pour le moment.\n"
     "Pr\xC3\xA9venez l'animateur de la s\xC3\xA9"
     "ance.",
     "Question",
     "sur",
     "Retour",
     "Suivant",
     "Touchez ici pour \xC3\xA9"
     "crire",
     "\xC3\x89"
     "crivez ici",
     "Merci de ne nommer ni coll\xC3\xA8gues ni patients.",
     "OK",
     "V\xC3\xA9rifiez vos r\xC3\xA9ponses",
     "(sans r\xC3\xA9ponse)",
     "Modifier",
     "Pr\xC3\xA9"
     "c\xC3\xA9"
     "dent",
     "Suite",
     "Envoyer",
     "Merci !",
     "Vos r\xC3\xA9ponses ont \xC3\xA9t\xC3\xA9 enregistr\xC3\xA9"
     "es.",
     "D\xC3\xA9sol\xC3\xA9, vos r\xC3\xA9ponses n'ont pas pu \xC3\xAAtre enregistr\xC3\xA9"
     "es.",
     "Rien de ce que vous avez saisi n'a \xC3\xA9t\xC3\xA9 conserv\xC3\xA9. Pr\xC3\xA9venez "
     "l'animateur de la s\xC3\xA9"
     "ance.",
     "OK",
     "\xC3\x8Ates-vous toujours l\xC3\xA0 ?",
     "Vos r\xC3\xA9ponses seront effac\xC3\xA9"
     "es dans ",
     " secondes.",
     " seconde.",
     "Continuer",
     "Veuillez choisir une r\xC3\xA9ponse.",
     "Veuillez en choisir au moins une.",
     "Veuillez en choisir quelques-unes de plus.",
     "Veuillez \xC3\xA9"
     "crire quelques mots.",
     "Ou choisissez \xC2\xAB\xC2\xA0",
     "\xC2\xA0\xC2\xBB.",
     "Autres r\xC3\xA9ponses",
     "R\xC3\xA9ponses pr\xC3\xA9"
     "c\xC3\xA9"
     "dentes",
     "r\xC3\xA9ponses",
     "r\xC3\xA9ponse",
     "Quitter le questionnaire ?",
     "Vos r\xC3\xA9ponses seront effac\xC3\xA9"
     "es.",
     "Rester",
     "Quitter",
     "Aucune r\xC3\xA9ponse",
     "Vous n'avez r\xC3\xA9pondu \xC3\xA0 aucune question. Envoyer quand m\xC3\xAA"
     "me une r\xC3\xA9ponse vide ?",
     "Retour",
     "Envoyer quand m\xC3\xAA"
     "me",
     "page",
     "La limite de ",
     " caract\xC3\xA8res est atteinte.",
     "Texte plus grand",
     "Contraste \xC3\xA9lev\xC3\xA9"},
};

const UiWords *kiosk_words_for(const char *code)
{
    for (size_t i = 0; code && i < sizeof ui_words / sizeof ui_words[0]; i++)
        if (strncmp(code, ui_words[i].code, 2) == 0)
            return &ui_words[i];
    return &ui_words[0];
}
