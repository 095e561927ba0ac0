<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_TW">
<context>
    <name>DailyChart</name>
    <message>
        <source>Earned per day (USD)</source>
        <translation>每日收益（美元）</translation>
    </message>
</context>
<context>
    <name>DesktopApp</name>
    <message>
        <source>Orban Agent keeps running</source>
        <translation>Orban Agent 仍在執行</translation>
    </message>
    <message>
        <source>The agent goes on working in the tray. Right-click the icon to pause or quit.</source>
        <translation>代理程式會在系統匣中繼續工作。在圖示上按右鍵即可暫停或結束。</translation>
    </message>
    <message>
        <source>Orban Agent cannot start</source>
        <translation>Orban Agent 無法啟動</translation>
    </message>
</context>
<context>
    <name>EarningFlag</name>
    <message>
        <source>not from a task of this agent</source>
        <translation>並非來自此代理程式的任務</translation>
    </message>
    <message>
        <source>a negative amount</source>
        <translation>負數金額</translation>
    </message>
    <message>
        <source>far outside the task&apos;s priced range</source>
        <translation>遠超出任務的定價範圍</translation>
    </message>
</context>
<context>
    <name>EarningsView</name>
    <message>
        <source>Earnings</source>
        <translation>收益</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>匯出 CSV…</translation>
    </message>
    <message>
        <source>Earned (all time)</source>
        <translation>已賺取（全部）</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今日</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>待確認</translation>
    </message>
    <message>
        <source>Confirmed</source>
        <translation>已確認</translation>
    </message>
    <message>
        <source>Paid out</source>
        <translation>已支付</translation>
    </message>
    <message>
        <source>Net of electricity</source>
        <translation>扣除電費後</translation>
    </message>
    <message>
        <source>Pace (last day)</source>
        <translation>速度（最近一天）</translation>
    </message>
    <message>
        <source>‹ Newer</source>
        <translation>‹ 較新</translation>
    </message>
    <message>
        <source>Older ›</source>
        <translation>較舊 ›</translation>
    </message>
    <message>
        <source>Page {page} of {pages} · {count} records</source>
        <translation>第 {page} / {pages} 頁 · 共 {count} 筆紀錄</translation>
    </message>
    <message>
        <source>price is in {currency}</source>
        <translation>電價以 {currency} 計</translation>
    </message>
    <message>
        <source>set a price per kWh</source>
        <translation>請設定每度電價</translation>
    </message>
    <message>
        <source>{count} not measured</source>
        <translation>{count} 筆未量測</translation>
    </message>
    <message>
        <source>{per_hour}/h · {month}/month</source>
        <translation>{per_hour}/小時 · {month}/月</translation>
    </message>
    <message>
        <source>net {month}/month</source>
        <translation>淨額 {month}/月</translation>
    </message>
    <message>
        <source>Export earnings</source>
        <translation>匯出收益</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 檔案 (*.csv)</translation>
    </message>
    <message>
        <source>Exported {rows} records to {path}</source>
        <translation>已將 {rows} 筆紀錄匯出至 {path}</translation>
    </message>
</context>
<context>
    <name>ErrorText</name>
    <message>
        <source>Orban Agent error</source>
        <translation>Orban Agent 錯誤</translation>
    </message>
    <message>
        <source>Configuration problem</source>
        <translation>設定有問題</translation>
    </message>
    <message>
        <source>Identity key problem</source>
        <translation>身分金鑰有問題</translation>
    </message>
    <message>
        <source>Protocol error</source>
        <translation>通訊協定錯誤</translation>
    </message>
    <message>
        <source>Network problem</source>
        <translation>網路有問題</translation>
    </message>
    <message>
        <source>Cannot reach the platform</source>
        <translation>無法連上平台</translation>
    </message>
    <message>
        <source>Key rejected</source>
        <translation>金鑰遭拒</translation>
    </message>
    <message>
        <source>GPU problem</source>
        <translation>GPU 有問題</translation>
    </message>
    <message>
        <source>No GPU found</source>
        <translation>找不到 GPU</translation>
    </message>
    <message>
        <source>Task failed</source>
        <translation>任務失敗</translation>
    </message>
    <message>
        <source>Sandbox problem</source>
        <translation>沙箱有問題</translation>
    </message>
    <message>
        <source>Local database problem</source>
        <translation>本機資料庫有問題</translation>
    </message>
    <message>
        <source>There is no identity key at {path}. Put your backup of the key back there, or create a new identity with `orban-agent keygen` (earnings then go to a new agent id).</source>
        <translation>{path} 沒有身分金鑰。請把金鑰的備份放回該處，或以 `orban-agent keygen` 建立新身分（之後的收益會歸入新的代理程式 ID）。</translation>
    </message>
    <message>
        <source>Cannot read the identity key {path}: {detail}.</source>
        <translation>無法讀取身分金鑰 {path}：{detail}。</translation>
    </message>
    <message>
        <source>Other users could read or replace your identity key {path} (permissions {mode}). Run `chmod 600 &apos;{path}&apos;`.</source>
        <translation>其他使用者可能讀取或替換你的身分金鑰 {path}（權限 {mode}）。請執行 `chmod 600 &apos;{path}&apos;`。</translation>
    </message>
    <message>
        <source>The identity key {path} must be exactly {expected} raw bytes, but it has {size}. To use a key in another form, run `orban-agent import`.</source>
        <translation>身分金鑰 {path} 必須剛好是 {expected} 個原始位元組，但它有 {size} 個。若要使用其他格式的金鑰，請執行 `orban-agent import`。</translation>
    </message>
    <message>
        <source>An identity key already exists at {path}; it was not overwritten, because your agent id and earnings are tied to it. Move it away first to replace it.</source>
        <translation>{path} 已有身分金鑰，未予覆寫，因為你的代理程式 ID 與收益都綁定於它。若要替換，請先將它移走。</translation>
    </message>
    <message>
        <source>The identity key {path} is a symbolic link, which is not followed. Point the settings at the real file instead.</source>
        <translation>身分金鑰 {path} 是符號連結，不會跟隨。請改讓設定指向實際的檔案。</translation>
    </message>
    <message>
        <source>The identity key {path} is not a regular file. Put the key file there, or create a new identity with `orban-agent keygen`.</source>
        <translation>身分金鑰 {path} 不是一般檔案。請把金鑰檔放在該處，或以 `orban-agent keygen` 建立新身分。</translation>
    </message>
    <message>
        <source>{count} invalid setting(s) in {source}:
{lines}
Fix them, or move the file away to start again from the defaults.</source>
        <translation>{source} 中有 {count} 項無效的設定：
{lines}
請修正，或將檔案移走以從預設值重新開始。</translation>
    </message>
    <message>
        <source>The settings file {path} is not UTF-8 text; save it as UTF-8.</source>
        <translation>設定檔 {path} 不是 UTF-8 文字；請以 UTF-8 儲存。</translation>
    </message>
    <message>
        <source>The settings file {path} is not valid TOML ({detail}). Fix that line, or move the file away to start again from the defaults.</source>
        <translation>設定檔 {path} 不是有效的 TOML（{detail}）。請修正該行，或將檔案移走以從預設值重新開始。</translation>
    </message>
    <message>
        <source>Cannot read the settings file {path}: {detail}.</source>
        <translation>無法讀取設定檔 {path}：{detail}。</translation>
    </message>
    <message>
        <source>Cannot save the settings to {path}: {detail}. Check the folder&apos;s permissions and free disk space.</source>
        <translation>無法將設定儲存到 {path}：{detail}。請檢查資料夾權限與可用磁碟空間。</translation>
    </message>
    <message>
        <source>The {store} was written by a newer Orban Agent (schema {schema_version}; this one reads up to {supported}). Update Orban Agent to open it.</source>
        <translation>{store} 由較新版的 Orban Agent 寫入（結構版本 {schema_version}；此版本最多讀取 {supported}）。請更新 Orban Agent 後再開啟。</translation>
    </message>
    <message>
        <source>Cannot use the local database {path}: {detail}.</source>
        <translation>無法使用本機資料庫 {path}：{detail}。</translation>
    </message>
    <message>
        <source>The Orban Agent desktop app (pid {pid}) already runs with these files. Quit it (Quit in its window or tray menu, or `orban-agent stop`) before starting another agent.</source>
        <translation>Orban Agent 桌面程式（pid {pid}）已使用這些檔案執行中。請先結束它（視窗或系統匣選單中的「結束」，或 `orban-agent stop`），再啟動另一個代理程式。</translation>
    </message>
    <message>
        <source>A headless Orban agent (pid {pid}) already runs with these files. See it with `orban-agent status`; stop it with `orban-agent stop` before starting another.</source>
        <translation>一個無介面的 Orban 代理程式（pid {pid}）已使用這些檔案執行中。可用 `orban-agent status` 查看；啟動另一個之前，請用 `orban-agent stop` 停止它。</translation>
    </message>
    <message>
        <source>An agent (pid {pid}) already runs with these files. See it with `orban-agent status`; stop it with `orban-agent stop` before starting another.</source>
        <translation>一個代理程式（pid {pid}）已使用這些檔案執行中。可用 `orban-agent status` 查看；啟動另一個之前，請用 `orban-agent stop` 停止它。</translation>
    </message>
    <message>
        <source>Another agent is starting with these files right now. See it with `orban-agent status` in a moment.</source>
        <translation>另一個代理程式正使用這些檔案啟動中。稍後可用 `orban-agent status` 查看。</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <source>Welcome to Orban Agent</source>
        <translation>歡迎使用 Orban Agent</translation>
    </message>
</context>
<context>
    <name>FlaggedTable</name>
    <message>
        <source>Recorded</source>
        <translation>記錄時間</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任務</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金額</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>狀態</translation>
    </message>
    <message>
        <source>Why it is not counted</source>
        <translation>未計入的原因</translation>
    </message>
</context>
<context>
    <name>Formatting</name>
    <message>
        <source>not reported</source>
        <translation>未回報</translation>
    </message>
    <message>
        <source>{h} h {m} min</source>
        <translation>{h} 小時 {m} 分</translation>
    </message>
    <message>
        <source>{m} min {s} s</source>
        <translation>{m} 分 {s} 秒</translation>
    </message>
    <message>
        <source>{s} s</source>
        <translation>{s} 秒</translation>
    </message>
    <message>
        <source>tomorrow {time}</source>
        <translation>明天 {time}</translation>
    </message>
</context>
<context>
    <name>GpuCard</name>
    <message>
        <source>SIMULATED</source>
        <translation>模擬</translation>
    </message>
    <message>
        <source>A simulated GPU for a demo: it does no real work and earns nothing real.</source>
        <translation>用於示範的模擬 GPU：不做真正的運算，也不會賺取真正的收益。</translation>
    </message>
    <message>
        <source>GPU {index} · {name}</source>
        <translation>GPU {index} · {name}</translation>
    </message>
    <message>
        <source>Utilization</source>
        <translation>使用率</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>溫度</translation>
    </message>
    <message>
        <source>Power</source>
        <translation>功耗</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>記憶體</translation>
    </message>
    <message>
        <source>Utilization over the last two minutes</source>
        <translation>最近兩分鐘的使用率</translation>
    </message>
    <message>
        <source>Cannot be read: the GPU may be lost</source>
        <translation>無法讀取：GPU 可能已失去連線</translation>
    </message>
    <message>
        <source>Disabled in Settings</source>
        <translation>已在設定中停用</translation>
    </message>
    <message>
        <source>Running task {task}</source>
        <translation>正在執行任務 {task}</translation>
    </message>
    <message>
        <source>Idle: waiting for a task</source>
        <translation>閒置：等待任務中</translation>
    </message>
</context>
<context>
    <name>GpuCharts</name>
    <message>
        <source>Utilization</source>
        <translation>使用率</translation>
    </message>
    <message>
        <source>VRAM used</source>
        <translation>已用 VRAM</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>溫度</translation>
    </message>
    <message>
        <source>Power</source>
        <translation>功耗</translation>
    </message>
    <message>
        <source>Fan</source>
        <translation>風扇</translation>
    </message>
    <message>
        <source>minutes ago</source>
        <translation>分鐘前</translation>
    </message>
    <message>
        <source>x: minutes before now</source>
        <translation>橫軸：距今分鐘數</translation>
    </message>
    <message>
        <source>now</source>
        <translation>現在</translation>
    </message>
</context>
<context>
    <name>GpuPage</name>
    <message>
        <source>Your GPUs</source>
        <translation>您的 GPU</translation>
    </message>
    <message>
        <source>Looking for GPUs…</source>
        <translation>正在尋找 GPU…</translation>
    </message>
    <message>
        <source>Use {count} SIMULATED GPUs for a demo</source>
        <translation>使用 {count} 個模擬 GPU 進行示範</translation>
    </message>
    <message>
        <source>Simulated GPUs do no real work and earn nothing real; the app marks them SIMULATED everywhere. Turn them on or off later in Settings (Simulated GPUs).</source>
        <translation>模擬 GPU 不做真正的工作，也不會賺到真正的收益；程式在各處都會標示為「模擬」。之後可在「設定」（模擬 GPU）中開啟或關閉。</translation>
    </message>
    <message>
        <source>Found {count} GPU(s):</source>
        <translation>找到 {count} 個 GPU：</translation>
    </message>
    <message>
        <source>No GPU found on this computer. The agent needs an NVIDIA, AMD or Apple GPU to take tasks and earn.</source>
        <translation>這台電腦上找不到 GPU。代理程式需要 NVIDIA、AMD 或 Apple 的 GPU 才能接任務並賺取收益。</translation>
    </message>
</context>
<context>
    <name>GpusView</name>
    <message>
        <source>GPUs (checked: used for tasks)</source>
        <translation>GPU（勾選者用於任務）</translation>
    </message>
    <message>
        <source>Last 5 minutes</source>
        <translation>最近 5 分鐘</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation>最近 1 小時</translation>
    </message>
    <message>
        <source>SIMULATED</source>
        <translation>模擬</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>記憶體</translation>
    </message>
    <message>
        <source>Compute capability</source>
        <translation>運算能力</translation>
    </message>
    <message>
        <source>Driver</source>
        <translation>驅動程式</translation>
    </message>
    <message>
        <source>Vendor</source>
        <translation>廠商</translation>
    </message>
    <message>
        <source>UUID</source>
        <translation>UUID</translation>
    </message>
    <message>
        <source>PCI bus</source>
        <translation>PCI 匯流排</translation>
    </message>
</context>
<context>
    <name>HistoryTable</name>
    <message>
        <source>Recorded</source>
        <translation>記錄時間</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任務</translation>
    </message>
    <message>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <source>{hours} GPU h × {rate}/h</source>
        <translation>{hours} GPU 小時 × {rate}/小時</translation>
    </message>
    <message>
        <source>× {bonus} bonus (implied)</source>
        <translation>× {bonus} 加成（推算）</translation>
    </message>
    <message>
        <source>× {bonus} bonus</source>
        <translation>× {bonus} 加成</translation>
    </message>
    <message>
        <source>not measured</source>
        <translation>未量測</translation>
    </message>
    <message>
        <source>no price set</source>
        <translation>未設定電價</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金額</translation>
    </message>
    <message>
        <source>How it was made</source>
        <translation>計算方式</translation>
    </message>
    <message>
        <source>Energy</source>
        <translation>耗電</translation>
    </message>
    <message>
        <source>Net</source>
        <translation>淨額</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>狀態</translation>
    </message>
    <message>
        <source>Payout expected</source>
        <translation>預計撥款</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>備註</translation>
    </message>
    <message>
        <source>Not counted: {reason}</source>
        <translation>未計入：{reason}</translation>
    </message>
</context>
<context>
    <name>IdentityPage</name>
    <message>
        <source>Back up the identity key</source>
        <translation>備份身分金鑰</translation>
    </message>
    <message>
        <source>Your agent&apos;s identity</source>
        <translation>您的代理程式身分</translation>
    </message>
    <message>
        <source>Orban Agent lends your GPU to the Orban platform while you do not need it, and the platform pays for the work. The platform knows this computer by a key that never leaves it.</source>
        <translation>Orban Agent 會在您不需要 GPU 時，把它借給 Orban 平台運算，平台會為這些工作付費。平台透過一把金鑰辨識這台電腦，這把金鑰永遠不會離開本機。</translation>
    </message>
    <message>
        <source>Copy agent id</source>
        <translation>複製代理程式 ID</translation>
    </message>
    <message>
        <source>Back up key…</source>
        <translation>備份金鑰…</translation>
    </message>
    <message>
        <source>A new key was created in {path}. Keep a copy: it is how you get paid.</source>
        <translation>已在 {path} 建立新的金鑰。請妥善備份：收款要靠它。</translation>
    </message>
    <message>
        <source>Using your existing key in {path}.</source>
        <translation>使用 {path} 中既有的金鑰。</translation>
    </message>
    <message>
        <source>Agent id: {agent_id}</source>
        <translation>代理程式 ID：{agent_id}</translation>
    </message>
    <message>
        <source>The agent id is on the clipboard.</source>
        <translation>代理程式 ID 已複製到剪貼簿。</translation>
    </message>
    <message>
        <source>There is already a file at {path}. A backup never replaces a file: choose another name.</source>
        <translation>{path} 已經有檔案。備份絕不會覆蓋既有檔案：請改用其他檔名。</translation>
    </message>
    <message>
        <source>The key was backed up to {path} (readable only by you). Keep it somewhere safe: whoever has it can work as this agent.</source>
        <translation>金鑰已備份到 {path}（只有您能讀取）。請妥善保管：任何取得它的人都能以這個代理程式的身分工作。</translation>
    </message>
</context>
<context>
    <name>LogsView</name>
    <message>
        <source>Logs</source>
        <translation>日誌</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>顯示</translation>
    </message>
    <message>
        <source>Debug and above</source>
        <translation>除錯以上</translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation>資訊以上</translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation>警告與錯誤</translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation>僅錯誤</translation>
    </message>
    <message>
        <source>Full log: {path}</source>
        <translation>完整日誌：{path}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Orban Agent</source>
        <translation>Orban Agent</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>總覽</translation>
    </message>
    <message>
        <source>GPUs</source>
        <translation>GPU</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>任務</translation>
    </message>
    <message>
        <source>Earnings</source>
        <translation>收益</translation>
    </message>
    <message>
        <source>Logs</source>
        <translation>日誌</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <source>Starting the agent…</source>
        <translation>正在啟動代理程式…</translation>
    </message>
</context>
<context>
    <name>NotCountedSection</name>
    <message>
        <source>The platform reported these, but they do not match work this agent did, so they are not in your totals.</source>
        <translation>這些是平台回報的項目，但與此代理程式所做的工作不符，因此未計入您的總額。</translation>
    </message>
    <message>
        <source>Not counted · 1 record · {amount}</source>
        <translation>未計入 · 1 筆紀錄 · {amount}</translation>
    </message>
    <message>
        <source>Not counted · {count} records · {amount}</source>
        <translation>未計入 · {count} 筆紀錄 · {amount}</translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <source>Task {task} finished in {duration}.</source>
        <translation>任務 {task} 已完成，耗時 {duration}。</translation>
    </message>
    <message>
        <source>{count} tasks finished.</source>
        <translation>已完成 {count} 個任務。</translation>
    </message>
    <message>
        <source>Task done</source>
        <translation>任務完成</translation>
    </message>
    <message>
        <source>Payout</source>
        <translation>撥款</translation>
    </message>
    <message>
        <source>Payout of {amount}: {status}.</source>
        <translation>撥款 {amount}：{status}。</translation>
    </message>
    <message>
        <source>Key rejected</source>
        <translation>金鑰遭拒</translation>
    </message>
    <message>
        <source>The platform refused this agent&apos;s key. Open the dashboard to fix it.</source>
        <translation>平台拒絕了這個代理程式的金鑰。請開啟主控台處理。</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>離線</translation>
    </message>
    <message>
        <source>The agent has been offline for {duration}.</source>
        <translation>代理程式已離線 {duration}。</translation>
    </message>
</context>
<context>
    <name>OverviewView</name>
    <message>
        <source>Earned today</source>
        <translation>今日收益</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>待確認</translation>
    </message>
    <message>
        <source>Earned (all time)</source>
        <translation>已賺取（全部）</translation>
    </message>
    <message>
        <source>Tasks done (this session)</source>
        <translation>已完成任務（本次執行）</translation>
    </message>
    <message>
        <source>Current tasks</source>
        <translation>目前的任務</translation>
    </message>
    <message>
        <source>Pause for 1 hour</source>
        <translation>暫停 1 小時</translation>
    </message>
    <message>
        <source>Pause until tomorrow</source>
        <translation>暫停到明天</translation>
    </message>
    <message>
        <source>Retry now</source>
        <translation>立即重試</translation>
    </message>
    <message>
        <source>the local reference platform (inside this app)</source>
        <translation>本機參考平台（在本程式內執行）</translation>
    </message>
    <message>
        <source>Agent {agent_id} · platform: {platform}</source>
        <translation>代理程式 {agent_id} · 平台：{platform}</translation>
    </message>
    <message>
        <source>DEMO with SIMULATED GPUs</source>
        <translation>示範模式，使用模擬 GPU</translation>
    </message>
    <message>
        <source>Resume contribution</source>
        <translation>恢復貢獻</translation>
    </message>
    <message>
        <source>Pause contribution</source>
        <translation>暫停貢獻</translation>
    </message>
</context>
<context>
    <name>PayoutTable</name>
    <message>
        <source>Payout period</source>
        <translation>撥款期間</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>任務</translation>
    </message>
    <message>
        <source>Gross</source>
        <translation>總額</translation>
    </message>
    <message>
        <source>Fee</source>
        <translation>手續費</translation>
    </message>
    <message>
        <source>Net</source>
        <translation>淨額</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>狀態</translation>
    </message>
    <message>
        <source>The platform pays confirmed earnings in a payout it announces, net of its fee; nothing has been paid to this agent yet. Each record shows when it is expected to be paid.</source>
        <translation>平台會在公告的撥款中支付已確認的收益（扣除手續費）；目前尚未支付任何款項給這個代理程式。每筆紀錄都會顯示預計撥款的時間。</translation>
    </message>
</context>
<context>
    <name>PlatformPage</name>
    <message>
        <source>Which platform?</source>
        <translation>要連線到哪個平台？</translation>
    </message>
    <message>
        <source>The Orban platform ({url}): your GPU&apos;s work is paid for</source>
        <translation>Orban 平台（{url}）：您的 GPU 工作會獲得報酬</translation>
    </message>
    <message>
        <source>Practise on this computer: the local reference platform runs inside this app (what you earn there is practice)</source>
        <translation>在這台電腦上練習：本機參考平台在本程式內執行（在那裡賺到的只是練習）</translation>
    </message>
    <message>
        <source>Another platform at this address:</source>
        <translation>位於此網址的其他平台：</translation>
    </message>
    <message>
        <source>platform.example.com or wss://host:port</source>
        <translation>platform.example.com 或 wss://主機:連接埠</translation>
    </message>
</context>
<context>
    <name>RunningTaskList</name>
    <message>
        <source>CPU (a canary: no GPU work)</source>
        <translation>CPU（檢測任務：不使用 GPU）</translation>
    </message>
    <message>
        <source>CPU (GPU {gpu} is simulated)</source>
        <translation>CPU（GPU {gpu} 為模擬）</translation>
    </message>
    <message>
        <source>GPU {gpu}</source>
        <translation>GPU {gpu}</translation>
    </message>
    <message>
        <source>{rate}/s</source>
        <translation>{rate}/秒</translation>
    </message>
    <message>
        <source>No task running.</source>
        <translation>目前沒有執行中的任務。</translation>
    </message>
</context>
<context>
    <name>SettingsFields</name>
    <message>
        <source>platform.example.com or wss://host:port</source>
        <translation>platform.example.com 或 wss://主機:連接埠</translation>
    </message>
    <message>
        <source>Use the local platform</source>
        <translation>使用本機平台</translation>
    </message>
    <message>
        <source>Platform URL</source>
        <translation>平台網址</translation>
    </message>
    <message>
        <source>GPUs used for tasks</source>
        <translation>用於任務的 GPU</translation>
    </message>
    <message>
        <source>Simulated GPUs</source>
        <translation>模擬 GPU</translation>
    </message>
    <message>
        <source>VRAM kept free</source>
        <translation>保留的 VRAM</translation>
    </message>
    <message>
        <source>One per usable GPU</source>
        <translation>每個可用 GPU 一個</translation>
    </message>
    <message>
        <source>Tasks at once</source>
        <translation>同時執行任務數</translation>
    </message>
    <message>
        <source>Pause above</source>
        <translation>溫度上限（超過即暫停）</translation>
    </message>
    <message>
        <source>Any time. Example: 22:00-07:00, 12:00-13:00</source>
        <translation>任何時間。例如：22:00-07:00, 12:00-13:00</translation>
    </message>
    <message>
        <source>Allowed hours</source>
        <translation>允許的時段</translation>
    </message>
    <message>
        <source>Pause while another program (a game) uses the GPU</source>
        <translation>其他程式（例如遊戲）使用 GPU 時暫停</translation>
    </message>
    <message>
        <source>Only when I&apos;m away (no keyboard or mouse input)</source>
        <translation>只在我離開時（沒有鍵盤或滑鼠輸入）</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分鐘</translation>
    </message>
    <message>
        <source>Away after</source>
        <translation>閒置多久算離開</translation>
    </message>
    <message>
        <source>Hand the task back at once</source>
        <translation>立即交還任務</translation>
    </message>
    <message>
        <source>Finish the current task</source>
        <translation>完成目前的任務</translation>
    </message>
    <message>
        <source>When I&apos;m back</source>
        <translation>我回來時</translation>
    </message>
    <message>
        <source>Automatic (Docker when available)</source>
        <translation>自動（可用時使用 Docker）</translation>
    </message>
    <message>
        <source>Docker only</source>
        <translation>僅 Docker</translation>
    </message>
    <message>
        <source>Restricted process</source>
        <translation>受限的程序</translation>
    </message>
    <message>
        <source>Sandbox</source>
        <translation>沙盒</translation>
    </message>
    <message>
        <source>Start Orban Agent when I log in</source>
        <translation>登入時啟動 Orban Agent</translation>
    </message>
    <message>
        <source>Notify me about</source>
        <translation>通知我以下事項</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>系統語言</translation>
    </message>
    <message>
        <source>Takes effect when the app starts again.</source>
        <translation>下次啟動程式時生效。</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>語言</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟隨系統</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>淺色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>外觀</translation>
    </message>
    <message>
        <source>SIMULATED</source>
        <translation>模擬</translation>
    </message>
</context>
<context>
    <name>SettingsNotifications</name>
    <message>
        <source>Tasks done</source>
        <translation>任務完成</translation>
    </message>
    <message>
        <source>Payouts</source>
        <translation>撥款</translation>
    </message>
    <message>
        <source>A GPU too hot</source>
        <translation>GPU 溫度過高</translation>
    </message>
    <message>
        <source>Offline for 10 minutes</source>
        <translation>離線 10 分鐘</translation>
    </message>
    <message>
        <source>Problems that need you (key rejected, agent stopped)</source>
        <translation>需要您處理的問題（金鑰遭拒、代理程式停止）</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>關閉</translation>
    </message>
    <message>
        <source>Set by --demo or --simulate-gpus for this run; start without them to use this setting.</source>
        <translation>本次執行由 --demo 或 --simulate-gpus 決定；不加這些參數啟動時才會使用此設定。</translation>
    </message>
</context>
<context>
    <name>SettingsView</name>
    <message>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>還原</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>套用</translation>
    </message>
    <message>
        <source>Not saved: fix the fields marked in red.</source>
        <translation>尚未儲存：請修正標示為紅色的欄位。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>儲存中…</translation>
    </message>
    <message>
        <source>Not saved: {error}</source>
        <translation>尚未儲存：{error}</translation>
    </message>
    <message>
        <source>Saved. The agent restarted with the new settings.</source>
        <translation>已儲存。代理程式已以新設定重新啟動。</translation>
    </message>
    <message>
        <source>Saved. Sandbox and cache settings apply once the running tasks finish.</source>
        <translation>已儲存。沙箱與快取設定會在執行中的任務完成後套用。</translation>
    </message>
    <message>
        <source>Saved and applied.</source>
        <translation>已儲存並套用。</translation>
    </message>
    <message>
        <source>Logging settings apply at the next start.</source>
        <translation>記錄設定會在下次啟動時套用。</translation>
    </message>
    <message>
        <source>The new language shows when you restart Orban Agent.</source>
        <translation>新語言會在重新啟動 Orban Agent 後顯示。</translation>
    </message>
</context>
<context>
    <name>Sparkline</name>
    <message>
        <source>The right edge is now</source>
        <translation>最右邊是現在</translation>
    </message>
</context>
<context>
    <name>StateWording</name>
    <message>
        <source>No GPU that can earn: every GPU is switched off</source>
        <translation>沒有可賺取收益的 GPU：所有 GPU 都已關閉</translation>
    </message>
    <message>
        <source>No GPU that can earn: SIMULATED GPUs earn nothing on a real platform</source>
        <translation>沒有可賺取收益的 GPU：模擬 GPU 在真正的平台上賺不到收益</translation>
    </message>
    <message>
        <source>No GPU that can earn: none found on this computer</source>
        <translation>沒有可賺取收益的 GPU：這台電腦上找不到 GPU</translation>
    </message>
    <message>
        <source>The agent takes no tasks while every GPU is switched off. Switch one on on the GPUs page or in Settings.</source>
        <translation>所有 GPU 都關閉時，代理程式不會接任務。請在「GPU」頁面或「設定」中開啟至少一個。</translation>
    </message>
    <message>
        <source>Simulated GPUs only practise on the local platform. To earn, use a computer with an NVIDIA, AMD or Apple GPU and turn simulated GPUs off in Settings; to practise, choose the local platform in Settings.</source>
        <translation>模擬 GPU 只能在本機平台上練習。若要賺取收益，請使用配備 NVIDIA、AMD 或 Apple GPU 的電腦，並在「設定」中關閉模擬 GPU；若要練習，請在「設定」中選擇本機平台。</translation>
    </message>
    <message>
        <source>Without a GPU the agent takes no tasks. If this computer has an NVIDIA GPU, install its driver and check that nvidia-smi lists it, then restart Orban Agent. To try the app without one, turn on simulated GPUs in Settings or start orban-desktop --demo.</source>
        <translation>沒有 GPU 時，代理程式不會接任務。如果這台電腦有 NVIDIA GPU，請安裝驅動程式，並確認 nvidia-smi 有列出它，然後重新啟動 Orban Agent。若想在沒有 GPU 的情況下試用，請在「設定」中開啟模擬 GPU，或執行 orban-desktop --demo。</translation>
    </message>
    <message>
        <source>Cannot reach the platform: {reason}</source>
        <translation>無法連上平台：{reason}</translation>
    </message>
    <message>
        <source>Cannot reach {platform}: {reason}</source>
        <translation>無法連上 {platform}：{reason}</translation>
    </message>
</context>
<context>
    <name>TasksView</name>
    <message>
        <source>Tasks</source>
        <translation>任務</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任務</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>開始時間</translation>
    </message>
    <message>
        <source>Runs on</source>
        <translation>執行於</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>階段</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>進度</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>耗時</translation>
    </message>
    <message>
        <source>Earned</source>
        <translation>收益</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>結果</translation>
    </message>
    <message>
        <source>{running} running · {done} done · {failed} failed</source>
        <translation>{running} 個執行中 · {done} 個完成 · {failed} 個失敗</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>執行中</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Failed: {reason}</source>
        <translation>失敗：{reason}</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <source>Pause for 1 hour</source>
        <translation>暫停 1 小時</translation>
    </message>
    <message>
        <source>Pause until tomorrow</source>
        <translation>暫停到明天</translation>
    </message>
    <message>
        <source>Open dashboard</source>
        <translation>開啟主控台</translation>
    </message>
    <message>
        <source>Quit Orban Agent</source>
        <translation>結束 Orban Agent</translation>
    </message>
    <message>
        <source>Orban Agent: {state}</source>
        <translation>Orban Agent：{state}</translation>
    </message>
    <message>
        <source>Today: {amount}</source>
        <translation>今日：{amount}</translation>
    </message>
    <message>
        <source>Resume contribution</source>
        <translation>恢復貢獻</translation>
    </message>
    <message>
        <source>Pause contribution</source>
        <translation>暫停貢獻</translation>
    </message>
</context>
<context>
    <name>Wording</name>
    <message>
        <source>Active</source>
        <translation>運作中</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>已暫停</translation>
    </message>
    <message>
        <source>No GPU that can earn</source>
        <translation>沒有可賺取收益的 GPU</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>離線</translation>
    </message>
    <message>
        <source>Needs attention</source>
        <translation>需要處理</translation>
    </message>
    <message>
        <source>you paused contribution</source>
        <translation>您暫停了貢獻</translation>
    </message>
    <message>
        <source>a GPU is too hot</source>
        <translation>GPU 溫度過高</translation>
    </message>
    <message>
        <source>another program is using the GPU</source>
        <translation>其他程式正在使用 GPU</translation>
    </message>
    <message>
        <source>outside your allowed hours</source>
        <translation>不在您允許的時段內</translation>
    </message>
    <message>
        <source>Key rejected: see below for what to do</source>
        <translation>金鑰遭拒：處理方式請見下方</translation>
    </message>
    <message>
        <source>Login refused: see below for what to do</source>
        <translation>已拒絕登入：處理方式請見下方</translation>
    </message>
    <message>
        <source>The platform sent a challenge that could be a relay attempt, so nothing was signed. Check that the platform URL in Settings is the one you meant, then press Retry now.</source>
        <translation>平台送來的挑戰可能是轉送攻擊，因此未簽署任何內容。請確認「設定」中的平台網址是您要連線的那一個，然後按「立即重試」。</translation>
    </message>
    <message>
        <source>Reason: {reason}</source>
        <translation>原因：{reason}</translation>
    </message>
    <message>
        <source>Offline: stopped retrying</source>
        <translation>離線：已停止重試</translation>
    </message>
    <message>
        <source>you are using the computer (only when you&apos;re away)</source>
        <translation>你正在使用電腦（只在你離開時工作）</translation>
    </message>
    <message>
        <source>cannot tell whether you are away (only when you&apos;re away)</source>
        <translation>無法判斷你是否離開（只在你離開時工作）</translation>
    </message>
    <message>
        <source>Offline: retrying in {seconds} s</source>
        <translation>離線：{seconds} 秒後重試</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>連線中…</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Paused: {reasons}</source>
        <translation>已暫停：{reasons}</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>已連線</translation>
    </message>
    <message>
        <source>{reason}. Stopped retrying</source>
        <translation>{reason}。已停止重試</translation>
    </message>
    <message>
        <source>{reason}. Retrying in {seconds} s</source>
        <translation>{reason}。{seconds} 秒後重試</translation>
    </message>
    <message>
        <source>you paused contribution until {time}</source>
        <translation>您暫停了貢獻，直到 {time}</translation>
    </message>
    <message>
        <source>The platform refused the key of agent {agent_id}. Check that this agent is registered with your platform account, or import the key you registered, then press Retry now.</source>
        <translation>平台拒絕了代理程式 {agent_id} 的金鑰。請確認此代理程式已登記在您的平台帳戶下，或匯入您登記過的金鑰，然後按「立即重試」。</translation>
    </message>
    <message>
        <source>Check your network connection and the platform URL, then press Retry now.</source>
        <translation>請檢查網路連線與平台網址，然後按「立即重試」。</translation>
    </message>
    <message>
        <source>The agent reconnects by itself; running tasks keep going.</source>
        <translation>代理程式會自動重新連線；執行中的任務會繼續進行。</translation>
    </message>
    <message>
        <source>Running tasks finish; no new tasks are taken until {time}, then contribution resumes by itself.</source>
        <translation>執行中的任務會完成；在 {time} 之前不接新任務，之後會自動恢復貢獻。</translation>
    </message>
    <message>
        <source>Running tasks finish; no new tasks are taken until you resume.</source>
        <translation>執行中的任務會完成；在您恢復之前不會接新任務。</translation>
    </message>
    <message>
        <source>Starting</source>
        <translation>啟動中</translation>
    </message>
    <message>
        <source>Downloading</source>
        <translation>下載中</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>執行中</translation>
    </message>
    <message>
        <source>Uploading</source>
        <translation>上傳中</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <source>Handed back to the platform</source>
        <translation>已交還平台</translation>
    </message>
    <message>
        <source>Could not download the task&apos;s files</source>
        <translation>無法下載任務檔案</translation>
    </message>
    <message>
        <source>Could not upload the result</source>
        <translation>無法上傳結果</translation>
    </message>
    <message>
        <source>Took longer than allowed</source>
        <translation>超過允許的時間</translation>
    </message>
    <message>
        <source>Ran out of memory</source>
        <translation>記憶體不足</translation>
    </message>
    <message>
        <source>The result did not pass verification</source>
        <translation>結果未通過驗證</translation>
    </message>
    <message>
        <source>The sandbox could not run it</source>
        <translation>沙盒無法執行</translation>
    </message>
    <message>
        <source>The task&apos;s program failed</source>
        <translation>任務程式執行失敗</translation>
    </message>
    <message>
        <source>The GPU failed</source>
        <translation>GPU 發生故障</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>待確認</translation>
    </message>
    <message>
        <source>Confirmed</source>
        <translation>已確認</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>已支付</translation>
    </message>
    <message>
        <source>Processing</source>
        <translation>處理中</translation>
    </message>
    <message>
        <source>Real tasks run in Docker ({image}).</source>
        <translation>真實任務在 Docker 中執行（{image}）。</translation>
    </message>
    <message>
        <source>Real tasks run on the GPU in the runner environment.</source>
        <translation>真實任務在執行環境中以 GPU 執行。</translation>
    </message>
    <message>
        <source>Real tasks run on the CPU in the runner environment (no usable GPU).</source>
        <translation>真實任務在執行環境中以 CPU 執行（沒有可用的 GPU）。</translation>
    </message>
    <message>
        <source>Real tasks need Docker or a runner environment: {reason} Until then only small canary tasks run here.</source>
        <translation>真實任務需要 Docker 或執行環境：{reason} 在此之前，這裡只執行小型的檢測任務。</translation>
    </message>
    <message>
        <source>GPU too hot</source>
        <translation>GPU 溫度過高</translation>
    </message>
    <message>
        <source>GPU {index} reached its temperature limit; new tasks wait until it cools.</source>
        <translation>GPU {index} 已達溫度上限；新任務會等它降溫後再開始。</translation>
    </message>
    <message>
        <source>Platform error</source>
        <translation>平台錯誤</translation>
    </message>
    <message>
        <source>The platform reported: {message}</source>
        <translation>平台回報：{message}</translation>
    </message>
    <message>
        <source>Cannot tell whether you are away</source>
        <translation>無法判斷你是否離開</translation>
    </message>
    <message>
        <source>{reason} Work stays paused while &quot;Only when I&apos;m away&quot; is on; turn it off in Settings to work at any time.</source>
        <translation>{reason} 開啟「只在我離開時」期間會維持暫停；若要隨時工作，請在設定中關閉它。</translation>
    </message>
    <message>
        <source>The agent stopped</source>
        <translation>代理程式已停止</translation>
    </message>
    <message>
        <source>The agent stopped unexpectedly: {message}</source>
        <translation>代理程式意外停止：{message}</translation>
    </message>
</context>
</TS>
