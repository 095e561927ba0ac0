"""Which language the UI speaks, and loading its Qt translation files.

The app speaks English (the source strings) and Traditional Chinese (``i18n/orban_zh_TW.qm``,
compiled from ``orban_zh_TW.ts`` with ``pyside6-lrelease``). ``ui.language = "auto"`` follows
the system locale: Chinese in Traditional script, or from Taiwan, Hong Kong or Macau, gets
``zh_TW``. Qt's own strings (dialog buttons) come from Qt's ``qtbase_zh_TW.qm``. Imports QtCore.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

logger = logging.getLogger(__name__)
I18N_DIR = Path(__file__).resolve().parent / "i18n"
LANGUAGES = ("en", "zh_TW")
_TRADITIONAL_TERRITORIES = frozenset(
    {QLocale.Country.Taiwan, QLocale.Country.HongKong, QLocale.Country.Macau}
)


def pick_language(setting: str, system: QLocale) -> str:
    """``"en"`` or ``"zh_TW"`` for the ``ui.language`` setting and the system locale."""
    if setting in LANGUAGES:
        return setting
    if system.language() == QLocale.Language.Chinese and (
        system.script() == QLocale.Script.TraditionalChineseScript
        or system.territory() in _TRADITIONAL_TERRITORIES
    ):
        return "zh_TW"
    return "en"


def translation_file(language: str) -> Path:
    return I18N_DIR / f"orban_{language}.qm"


def install_translators(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Install the app's and Qt's translators for ``language``; keep the result alive.

    English needs none. A missing file is logged and the UI stays English.
    """
    if language == "en":
        return []
    installed: list[QTranslator] = []
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name, folder in ((f"orban_{language}", str(I18N_DIR)), (f"qtbase_{language}", qt_dir)):
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            installed.append(translator)
        else:
            logger.warning("no translation %s in %s", name, folder)
    return installed
