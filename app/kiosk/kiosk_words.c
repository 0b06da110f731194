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

static const AdminWords admin_words[] = {
    {"en",
     "Coordinator", "Exit", "Session", "Not yet exported", "Not yet acknowledged", "Free space",
     "This kiosk", "Analyst key", "Analyst keys", "response", "responses", "so far", "of",
     "none open: the kiosk is not collecting", "(exported, still held)", "unknown", "none",
     "Open session", "Close session", "Export", "Apply acknowledgement",
     "Coordinator PIN", "Enter the PIN", "Too many wrong PINs. Try again in ", " s.",
     "Wrong PIN.", "Wrong PIN. ", " more try before a pause.", " more tries before a pause.",
     "The PIN has at least ", " digits.", "Cancel", "Done", "Back", "OK",
     "Open a session", "Other\xE2\x80\xA6", "Date", "Expected", "-1 day", "+1 day", "no limit",
     "person", "people", "Check the date: the kiosk's clock may be wrong.",
     "Choose a label first.", "Not opened: ",
     "Session label", "Type the label", "Close the session?", "has",
     " Once it is closed, nobody can answer for it any more; its responses stay on the kiosk "
     "until they are exported and acknowledged.",
     "Export small sessions?",
     "Sessions with fewer responses than the threshold are held back because people in a group "
     "that small could be recognised from their answers. Export them only if the analyst asked "
     "for it.",
     "Export anyway", "Export (small sessions included)", "Session closed", "No session is open.",
     "Closed ", " with ", ".\nThe kiosk is not collecting now. Export when you are ready.",
     "The session could not be closed: ", "Acknowledgement",
     {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"},
     {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
     "USB stick", "free", "none: plug one in to export",
     "-1 month", "+1 month", "-1 year", "+1 year", "The clock says ", ": check the date.",
     "Configured", " (not confirmed: not collecting)", "Confirm keys\xE2\x80\xA6",
     "Use the new analyst keys?", "From now on, answers are sealed to ", " (until now: ",
     "). Whoever holds one of these keys can read every answer. Compare each fingerprint with "
     "the analyst's, by phone or on paper, before you confirm.",
     "Use these keys", "Analyst keys", "Weak PIN: have a new one set (debrief-kiosk --set-pin).",
     "Out of service: ", "folder ", "Label not taken: ", "The kiosk's database is not open: ",
     "see the journal", "Nothing was exported.", "Nothing was deleted.", "No drive at ",
     " (the configured export directory). Insert the USB drive and wait a moment.", "The drive at ",
     " is read-only. Use another drive, or check its write-protect switch.",
     " is full. Free some space on it (or use another drive) and export again: the same "
     "batch will be written.",
     "No USB drive found. Insert one and wait a moment (looked for a mounted drive at ", ").",
     "Cannot read the drive at ", ": ", "Wrote ", " to ", " (finishing an interrupted export)",
     "Batch ", "hash ", "kiosk ", "Write these down on the transfer sheet.",
     "Held back: \xE2\x80\x9C", "\xE2\x80\x9D (", ") has ", ", fewer than ",
     ": a group this small could be recognised from its answers.", "\xE2\x80\xA6 and ",
     " more session held back.", " more sessions held back.", "Not exported: ",
     " response of the open session (close it first).",
     " responses of the open session (close it first).", "Nothing to export; no file written.",
     "Nothing else to export; no file written.", "Export failed: ",
     "Nothing was reported as exported.", "No acknowledgement file (*.dba) found on the drive at ",
     ".", ": deleted ", " of ", "batch", "batches", " (signed by analyst ", " batch already done)",
     " batches already done)", ": already applied; nothing more to delete",
     ": NOT applied, nothing deleted: ", " *.dba entry skipped (not a regular file).",
     " *.dba entries skipped (not a regular file).", " more *.dba file not read (at most ",
     " more *.dba files not read (at most ", " at once).", "Deleted ", " in all.", "Warning: ",
     "You can remove the USB stick now.",
     "The USB stick is still in use. Do not remove it yet: wait a minute, or ask IT staff "
     "to unmount ",
     "The USB stick could not be released (", "). Do not remove it yet: ask IT staff to unmount ",
     ".", "Unmount the drive at ", " before you remove it.", "The analyst keys were not changed: ",
     ".\nThe change is logged and shown on this screen.",
     0},
    {"de",
     "Koordination", "Beenden", "Sitzung", "Noch nicht exportiert", "Noch nicht best\xC3\xA4tigt",
     "Freier Speicher", "Dieser Kiosk", "Schl\xC3\xBCssel der Auswertung",
     "Schl\xC3\xBCssel der Auswertung", "Antwort", "Antworten", "bisher", "von",
     "keine ge\xC3\xB6" "ffnet: der Kiosk nimmt keine Antworten entgegen",
     "(exportiert, noch gespeichert)", "unbekannt", "keiner", "Sitzung \xC3\xB6" "ffnen",
     "Sitzung schlie\xC3\x9F" "en", "Exportieren", "Best\xC3\xA4tigung anwenden",
     "PIN der Koordination", "PIN eingeben", "Zu viele falsche PINs. Erneut versuchen in ",
     " s.", "Falsche PIN.", "Falsche PIN. Noch ", " Versuch bis zu einer Pause.",
     " Versuche bis zu einer Pause.", "Die PIN hat mindestens ", " Ziffern.", "Abbrechen",
     "Fertig", "Zur\xC3\xBC" "ck", "OK",
     "Sitzung \xC3\xB6" "ffnen", "Andere\xE2\x80\xA6", "Datum", "Erwartet", "-1 Tag", "+1 Tag",
     "ohne Grenze", "Person", "Personen",
     "Datum pr\xC3\xBC" "fen: Die Uhr des Kiosks kann falsch gehen.",
     "Zuerst eine Bezeichnung w\xC3\xA4hlen.", "Nicht ge\xC3\xB6" "ffnet: ",
     "Bezeichnung der Sitzung", "Bezeichnung eingeben", "Sitzung schlie\xC3\x9F" "en?", "hat",
     " Danach kann niemand mehr f\xC3\xBCr sie antworten; ihre Antworten bleiben auf dem "
     "Kiosk, bis sie exportiert und best\xC3\xA4tigt sind.",
     "Kleine Sitzungen exportieren?",
     "Sitzungen mit weniger Antworten als der Schwellenwert werden zur\xC3\xBC" "ckgehalten, "
     "weil Personen in einer so kleinen Gruppe an ihren Antworten erkannt werden k\xC3\xB6nnten. "
     "Exportieren Sie sie nur, wenn die Auswertung darum gebeten hat.",
     "Trotzdem exportieren", "Export (mit kleinen Sitzungen)", "Sitzung geschlossen",
     "Keine Sitzung ist ge\xC3\xB6" "ffnet.", "Geschlossen: ", " mit ",
     ".\nDer Kiosk nimmt jetzt keine Antworten entgegen. Exportieren Sie, wenn Sie bereit sind.",
     "Die Sitzung konnte nicht geschlossen werden: ", "Best\xC3\xA4tigung",
     {"Do", "Fr", "Sa", "So", "Mo", "Di", "Mi"},
     {"Jan", "Feb", "M\xC3\xA4r", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"},
     "USB-Stick", "frei", "keiner: zum Exportieren einen einstecken",
     "-1 Monat", "+1 Monat", "-1 Jahr", "+1 Jahr", "Die Uhr zeigt ", ": Datum pr\xC3\xBC" "fen.",
     "Konfiguriert", " (nicht best\xC3\xA4tigt: nimmt keine Antworten entgegen)",
     "Schl\xC3\xBCssel best\xC3\xA4tigen\xE2\x80\xA6",
     "Die neuen Schl\xC3\xBCssel der Auswertung verwenden?",
     "Ab jetzt werden die Antworten versiegelt f\xC3\xBCr ", " (bisher: ",
     "). Wer einen dieser Schl\xC3\xBCssel besitzt, kann jede Antwort lesen. Vergleichen Sie "
     "jeden Fingerabdruck mit dem der Auswertung, am Telefon oder auf Papier, bevor Sie "
     "best\xC3\xA4tigen.",
     "Diese Schl\xC3\xBCssel verwenden", "Schl\xC3\xBCssel der Auswertung",
     "Schwache PIN: lassen Sie eine neue setzen (debrief-kiosk --set-pin).",
     "Au\xC3\x9F" "er Betrieb: ", "Ordner ", "Bezeichnung nicht \xC3\xBC" "bernommen: ",
     "Die Datenbank des Kiosks ist nicht ge\xC3\xB6" "ffnet: ", "siehe Systemprotokoll",
     "Es wurde nichts exportiert.", "Es wurde nichts gel\xC3\xB6scht.", "Kein Laufwerk unter ",
     " (dem eingestellten Exportordner). Stecken Sie den USB-Stick ein und warten Sie einen "
     "Moment.",
     "Das Laufwerk unter ",
     " ist schreibgesch\xC3\xBCtzt. Nehmen Sie ein anderes oder pr\xC3\xBC" "fen Sie seinen "
     "Schreibschutzschalter.",
     " ist voll. Schaffen Sie dort Platz (oder nehmen Sie ein anderes Laufwerk) und "
     "exportieren Sie erneut: Es wird dasselbe Paket geschrieben.",
     "Kein USB-Stick gefunden. Stecken Sie einen ein und warten Sie einen Moment (gesucht "
     "unter ",
     ").", "Das Laufwerk unter ", " ist nicht lesbar: ", "Geschrieben: ", " nach ",
     " (Abschluss eines unterbrochenen Exports)", "Paket ", "Pr\xC3\xBC" "fsumme ", "Kiosk ",
     "Notieren Sie diese Angaben auf dem \xC3\x9C" "bergabeblatt.",
     "Zur\xC3\xBC" "ckgehalten: \xE2\x80\x9E", "\xE2\x80\x9C (", ") hat ", ", weniger als ",
     ": Eine so kleine Gruppe k\xC3\xB6nnte an ihren Antworten erkannt werden.",
     "\xE2\x80\xA6 und ", " weitere Sitzung zur\xC3\xBC" "ckgehalten.",
     " weitere Sitzungen zur\xC3\xBC" "ckgehalten.", "Nicht exportiert: ",
     " Antwort der offenen Sitzung (schlie\xC3\x9F" "en Sie sie zuerst).",
     " Antworten der offenen Sitzung (schlie\xC3\x9F" "en Sie sie zuerst).",
     "Nichts zu exportieren; keine Datei geschrieben.",
     "Sonst nichts zu exportieren; keine Datei geschrieben.", "Export fehlgeschlagen: ",
     "Nichts wurde als exportiert gemeldet.",
     "Keine Best\xC3\xA4tigungsdatei (*.dba) auf dem Laufwerk unter ", " gefunden.", ": ",
     " gel\xC3\xB6scht (", "Paket", "Pakete", ", signiert von der Auswertung ",
     " Paket bereits erledigt)", " Pakete bereits erledigt)",
     ": bereits angewendet; nichts mehr zu l\xC3\xB6schen",
     ": NICHT angewendet, nichts gel\xC3\xB6scht: ",
     " *.dba-Eintrag \xC3\xBC" "bersprungen (keine normale Datei).",
     " *.dba-Eintr\xC3\xA4ge \xC3\xBC" "bersprungen (keine normalen Dateien).",
     " weitere *.dba-Datei nicht gelesen (h\xC3\xB6" "chstens ",
     " weitere *.dba-Dateien nicht gelesen (h\xC3\xB6" "chstens ", " auf einmal).",
     "Insgesamt gel\xC3\xB6scht: ", ".", "Warnung: ",
     "Sie k\xC3\xB6nnen den USB-Stick jetzt abziehen.",
     "Der USB-Stick wird noch verwendet. Ziehen Sie ihn noch nicht ab: Warten Sie eine "
     "Minute oder bitten Sie die IT, ",
     "Der USB-Stick konnte nicht freigegeben werden (",
     "). Ziehen Sie ihn noch nicht ab: Bitten Sie die IT, ", " auszuh\xC3\xA4ngen.",
     "H\xC3\xA4ngen Sie das Laufwerk unter ", " aus, bevor Sie es entfernen.",
     "Die Schl\xC3\xBCssel der Auswertung wurden nicht ge\xC3\xA4ndert: ",
     ".\nDie \xC3\x84nderung ist protokolliert und wird auf diesem Bildschirm angezeigt.",
     0},
    {"fr",
     "Coordination", "Quitter", "S\xC3\xA9" "ance", "Pas encore export\xC3\xA9" "es",
     "Pas encore confirm\xC3\xA9" "es", "Espace libre", "Ce kiosque", "Cl\xC3\xA9 de l'analyste",
     "Cl\xC3\xA9s de l'analyste", "r\xC3\xA9ponse", "r\xC3\xA9ponses", "jusqu'ici", "sur",
     "aucune ouverte : le kiosque ne recueille pas de r\xC3\xA9ponses",
     "(export\xC3\xA9" "es, encore conserv\xC3\xA9" "es)", "inconnu", "aucune",
     "Ouvrir une s\xC3\xA9" "ance", "Fermer la s\xC3\xA9" "ance", "Exporter",
     "Appliquer l'accus\xC3\xA9",
     "PIN de coordination", "Saisissez le PIN", "Trop de PIN erron\xC3\xA9s. R\xC3\xA9" "essayez dans ",
     " s.", "PIN erron\xC3\xA9.", "PIN erron\xC3\xA9. Encore ", " essai avant une pause.",
     " essais avant une pause.", "Le PIN a au moins ", " chiffres.", "Annuler", "OK", "Retour",
     "OK",
     "Ouvrir une s\xC3\xA9" "ance", "Autre\xE2\x80\xA6", "Date", "Attendus", "-1 jour", "+1 jour",
     "sans limite", "personne", "personnes",
     "V\xC3\xA9rifiez la date : l'horloge du kiosque peut \xC3\xAAtre fausse.",
     "Choisissez d'abord un nom.", "Non ouverte : ",
     "Nom de la s\xC3\xA9" "ance", "Saisissez le nom", "Fermer la s\xC3\xA9" "ance ?", "a",
     " Une fois ferm\xC3\xA9" "e, plus personne ne peut y r\xC3\xA9pondre ; ses r\xC3\xA9ponses "
     "restent sur le kiosque jusqu'\xC3\xA0 leur export et leur confirmation.",
     "Exporter les petites s\xC3\xA9" "ances ?",
     "Les s\xC3\xA9" "ances qui ont moins de r\xC3\xA9ponses que le seuil sont retenues, car "
     "dans un groupe si petit on pourrait reconna\xC3\xAEtre les personnes \xC3\xA0 leurs "
     "r\xC3\xA9ponses. Ne les exportez que si l'analyste l'a demand\xC3\xA9.",
     "Exporter quand m\xC3\xAAme", "Export (petites s\xC3\xA9" "ances comprises)",
     "S\xC3\xA9" "ance ferm\xC3\xA9" "e", "Aucune s\xC3\xA9" "ance n'est ouverte.",
     "Ferm\xC3\xA9" "e : ", " avec ",
     ".\nLe kiosque ne recueille plus de r\xC3\xA9ponses. Exportez quand vous \xC3\xAAtes pr\xC3\xAAt.",
     "La s\xC3\xA9" "ance n'a pas pu \xC3\xAAtre ferm\xC3\xA9" "e : ", "Accus\xC3\xA9 de r\xC3\xA9" "ception",
     {"jeu.", "ven.", "sam.", "dim.", "lun.", "mar.", "mer."},
     {"janv.", "f\xC3\xA9vr.", "mars", "avr.", "mai", "juin", "juil.", "ao\xC3\xBBt", "sept.",
      "oct.", "nov.", "d\xC3\xA9" "c."},
     "Cl\xC3\xA9 USB", "libres", "aucune : en brancher une pour exporter",
     "-1 mois", "+1 mois", "-1 an", "+1 an", "L'horloge indique ", " : v\xC3\xA9rifiez la date.",
     "Configur\xC3\xA9" "es", " (non confirm\xC3\xA9" "es : ne recueille pas de r\xC3\xA9ponses)",
     "Confirmer les cl\xC3\xA9s\xE2\x80\xA6", "Utiliser les nouvelles cl\xC3\xA9s de l'analyste ?",
     "D\xC3\xA9sormais, les r\xC3\xA9ponses sont scell\xC3\xA9" "es pour ",
     " (jusqu'ici : ",
     "). Quiconque d\xC3\xA9tient l'une de ces cl\xC3\xA9s peut lire toutes les r\xC3\xA9ponses. "
     "Comparez chaque empreinte avec celle de l'analyste, par t\xC3\xA9l\xC3\xA9phone ou sur "
     "papier, avant de confirmer.",
     "Utiliser ces cl\xC3\xA9s", "Cl\xC3\xA9s de l'analyste",
     "PIN faible : faites-en d\xC3\xA9" "finir un nouveau (debrief-kiosk --set-pin).",
     "Hors service : ", "dossier ", "Nom non retenu : ",
     "La base de donn\xC3\xA9" "es du kiosque n'est pas ouverte : ",
     "voir le journal syst\xC3\xA8me", "Rien n'a \xC3\xA9t\xC3\xA9 export\xC3\xA9.",
     "Rien n'a \xC3\xA9t\xC3\xA9 supprim\xC3\xA9.", "Aucun support \xC3\xA0 l'emplacement ",
     " (le dossier d'export configur\xC3\xA9). Branchez la cl\xC3\xA9 USB et patientez un "
     "instant.",
     "Le support ",
     " est en lecture seule. Utilisez-en un autre, ou v\xC3\xA9rifiez son verrou de "
     "protection en \xC3\xA9" "criture.",
     " est plein. Lib\xC3\xA9rez de la place (ou utilisez un autre support) et exportez "
     "\xC3\xA0 nouveau : le m\xC3\xAAme lot sera \xC3\xA9" "crit.",
     "Aucune cl\xC3\xA9 USB trouv\xC3\xA9" "e. Branchez-en une et patientez un instant "
     "(cherch\xC3\xA9" "e dans ",
     ").", "Impossible de lire le support ", " : ", "\xC3\x89" "crit : ", " dans ",
     " (fin d'un export interrompu)", "Lot ", "somme de contr\xC3\xB4le ", "kiosque ",
     "Notez ces informations sur la fiche de transfert.", "Retenue : \xC2\xAB\xC2\xA0",
     "\xC2\xA0\xC2\xBB (", ") a ", ", moins de ",
     " : un groupe aussi petit pourrait \xC3\xAAtre reconnu \xC3\xA0 ses r\xC3\xA9ponses.",
     "\xE2\x80\xA6 et ", " autre s\xC3\xA9" "ance retenue.", " autres s\xC3\xA9" "ances retenues.",
     "Pas dans l'export : ", " r\xC3\xA9ponse de la s\xC3\xA9" "ance ouverte (fermez-la d'abord).",
     " r\xC3\xA9ponses de la s\xC3\xA9" "ance ouverte (fermez-la d'abord).",
     "Rien \xC3\xA0 exporter ; aucun fichier \xC3\xA9" "crit.",
     "Rien d'autre \xC3\xA0 exporter ; aucun fichier \xC3\xA9" "crit.",
     "\xC3\x89" "chec de l'export : ",
     "Rien n'a \xC3\xA9t\xC3\xA9 signal\xC3\xA9 comme export\xC3\xA9.",
     "Aucun accus\xC3\xA9 de r\xC3\xA9" "ception (*.dba) trouv\xC3\xA9 sur le support ", ".",
     " : suppression de ", " (", "lot", "lots", ", accus\xC3\xA9 sign\xC3\xA9 par l'analyste ",
     " lot d\xC3\xA9j\xC3\xA0 trait\xC3\xA9)", " lots d\xC3\xA9j\xC3\xA0 trait\xC3\xA9s)",
     " : d\xC3\xA9j\xC3\xA0 appliqu\xC3\xA9 ; plus rien \xC3\xA0 supprimer",
     " : NON appliqu\xC3\xA9, rien supprim\xC3\xA9 : ",
     " entr\xC3\xA9" "e *.dba ignor\xC3\xA9" "e (pas un fichier ordinaire).",
     " entr\xC3\xA9" "es *.dba ignor\xC3\xA9" "es (pas des fichiers ordinaires).",
     " autre fichier *.dba non lu (au plus ", " autres fichiers *.dba non lus (au plus ",
     " \xC3\xA0 la fois).", "Total des suppressions : ", ".", "Attention : ",
     "Vous pouvez retirer la cl\xC3\xA9 USB maintenant.",
     "La cl\xC3\xA9 USB est encore utilis\xC3\xA9" "e. Ne la retirez pas encore : attendez "
     "une minute, ou demandez au service informatique de d\xC3\xA9monter ",
     "La cl\xC3\xA9 USB n'a pas pu \xC3\xAAtre lib\xC3\xA9r\xC3\xA9" "e (",
     "). Ne la retirez pas encore : demandez au service informatique de d\xC3\xA9monter ", ".",
     "D\xC3\xA9montez le support ", " avant de le retirer.",
     "Les cl\xC3\xA9s de l'analyste n'ont pas \xC3\xA9t\xC3\xA9 chang\xC3\xA9" "es : ",
     ".\nLe changement est consign\xC3\xA9 et affich\xC3\xA9 sur cet \xC3\xA9" "cran.",
     1},
};

const AdminWords *kiosk_admin_words_all(int *n)
{
    *n = (int)(sizeof admin_words / sizeof admin_words[0]);
    return admin_words;
}

int kiosk_admin_one(const AdminWords *aw, long long n)
{
    return n == 1 || (n == 0 && aw->zero_is_one);
}

const AdminWords *kiosk_admin_words_for(const char *code)
{
    for (size_t i = 0; code && i < sizeof admin_words / sizeof admin_words[0]; i++)
        if (strncmp(code, admin_words[i].code, 2) == 0)
            return &admin_words[i];
    return &admin_words[0];
}
