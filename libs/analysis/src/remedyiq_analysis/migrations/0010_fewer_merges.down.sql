ALTER TABLE log_entries RESET SETTING merge_selector_base
