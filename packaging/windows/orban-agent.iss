; Inno Setup 6 script: the Windows installer of Orban Agent, made from the PyInstaller folder.
;
; NOT built or tested in this project's CI (Linux only): keep it correct by reading. On Windows,
; from the repository root, with Python 3.11+ and Inno Setup 6 installed:
;
;   py -3.11 -m venv .venv && .venv\Scripts\pip install -e ".[dev]"
;   .venv\Scripts\pyinstaller --noconfirm --clean packaging\orban-agent.spec
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\windows\orban-agent.iss
;
; The spec gives both .exe files the icon and the version resource, and builds orban-desktop.exe
; without a console window. The result is dist\orban-agent-<version>-windows-x64-setup.exe: a
; per-user install by default (no administrator rights), or for all users when asked.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Orban Agent"
#define AppExe "orban-desktop.exe"
#define CliExe "orban-agent.exe"

[Setup]
; The AppId names this product for upgrades and uninstall: never change it.
AppId={{8D4F3B2A-6C1E-4B7A-9E25-0F3A7C9B1D64}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Orban
AppPublisherURL=https://orban.ai
DefaultDirName={autopf}\Orban Agent
DefaultGroupName=Orban Agent
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=orban-agent-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\resources\icons\orban-agent.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Close a running Orban Agent before files are replaced (Restart Manager).
CloseApplications=yes
ChangesEnvironment=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add the orban-agent command to my PATH"; GroupDescription: "Command line:"; Flags: unchecked

[Files]
; The whole PyInstaller folder: orban-desktop.exe, orban-agent.exe and _internal\.
Source: "..\..\dist\orban-agent\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
Root: HKCU; Subkey: "Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallRun]
; A headless agent started with `orban-agent start` hands its tasks back before files go.
Filename: "{app}\{#CliExe}"; Parameters: "stop"; Flags: runhidden waituntilterminated; RunOnceId: "StopAgent"

; Settings, the identity key and the earnings ledger live in the user's AppData folders and are
; kept on uninstall, as on Linux and macOS.

[Code]
function NeedsAddPath(Dir: string): Boolean;
var
  Path: string;
begin
  if not RegQueryStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Path) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Path) + ';') = 0;
end;
