-- JukeboxBridge in Ardour, phase 1: discover the plugin, create a 48 kHz session on the Dummy backend
-- (120 BPM), add a stereo track with JukeboxBridge as its first processor (Auto on, 1 s continuation,
-- 1 variation, Continuation mode), record JB_RECORD_S seconds of the backend's sine generator, add the
-- range "JBLoop" (quarters 2..6 = 1..3 s, turned into the loop range by the driver) and save.
-- Run by run_ardour_e2e.sh:  ardour7-lua phase1_create.lua SESSION_DIR
local dir = assert(arg[1], "usage: phase1_create.lua SESSION_DIR")
local vst3dir = os.getenv("JB_VST3_DIR")
local rec_s = tonumber(os.getenv("JB_RECORD_S") or "4.5")
local bpm = 120
local TRS = ARDOUR.TransportRequestSource.TRS_UI
local NoGroup = PBD.GroupControlDisposition.NoGroup
local T = ARDOUR.LuaAPI.monotonic_time()
local function step(msg) print(string.format("[%7.3fs] %s", (ARDOUR.LuaAPI.monotonic_time() - T) / 1e6, msg)) end
local function wait_stopped() for _ = 1, 100 do if not Session:transport_rolling() then return end sleep(0.1) end end

if vst3dir and vst3dir ~= "" then ARDOUR.config():set_plugin_path_vst3(vst3dir) end
step("rescan: " .. ARDOUR.LuaAPI.dump_untagged_plugins())
local info = ARDOUR.LuaAPI.new_plugin_info("JukeboxBridge", ARDOUR.PluginType.VST3)
assert(not info:isnil(), "JukeboxBridge VST3 not discovered")
step("DISCOVERED VST3 '" .. info.name .. "' uid=" .. info.unique_id)

AudioEngine:set_backend("None (Dummy)", "", ""):set_device_name("Sine Wave")
assert(create_session(dir, "jb", 48000), "create_session failed")
local sr = Session:nominal_sample_rate()
local tm = Temporal.TempoMap.fetch_writable()
tm:set_tempo(Temporal.Tempo(bpm, bpm, 4), Temporal.timepos_t(0))
Temporal.TempoMap.update(tm)

local t = Session:new_audio_track(2, 2, nil, 1, "Clip", ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true):front()
local p = ARDOUR.LuaAPI.new_plugin(Session, "JukeboxBridge", ARDOUR.PluginType.VST3, "")
assert(not p:isnil(), "new_plugin failed")
assert(t:add_processor_by_index(p, 0, nil, true) == 0, "add_processor failed")
-- Parameters in plain units (Ardour's view): 1 Auto, 2 Mode, 3 Length, 4 Length unit, 6 Variations.
ARDOUR.LuaAPI.set_processor_param(p, 1, 1)   -- Auto on
ARDOUR.LuaAPI.set_processor_param(p, 2, 0)   -- Continuation
ARDOUR.LuaAPI.set_processor_param(p, 4, 1)   -- seconds
ARDOUR.LuaAPI.set_processor_param(p, 3, 1)   -- 1 s
ARDOUR.LuaAPI.set_processor_param(p, 6, 1)   -- 1 variation
step("INSTANTIATED '" .. t:nth_plugin(0):name() .. "', Auto = " .. ARDOUR.LuaAPI.get_processor_param(p, 1))

t:rec_enable_control():set_value(1, NoGroup)
Session:maybe_enable_record(false)
Session:request_roll(TRS)
sleep(rec_s)
Session:request_stop(false, false, TRS)
wait_stopped()
Session:disable_record(false, false)
t:rec_enable_control():set_value(0, NoGroup)
t:monitoring_control():set_value(ARDOUR.MonitorChoice.MonitorDisk, NoGroup)
sleep(0.5)
local srl = Session:locations():session_range_location()
assert(t:playlist():region_list():size() > 0 and srl, "recording produced no region")
step(string.format("RECORDED session range %d..%d", srl:start():samples(), srl:_end():samples()))

local q = sr * 60 / bpm
local rng = Session:locations():add_range(Temporal.timepos_t(math.floor(2 * q)), Temporal.timepos_t(math.floor(6 * q)))
rng:set_name("JBLoop")
Session:save_state("", false, false, false, false, false)
step("phase 1 saved")
