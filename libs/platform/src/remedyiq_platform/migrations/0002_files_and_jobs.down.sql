DROP TABLE IF EXISTS analysis_results;
DROP TABLE IF EXISTS job_batches;
DROP TABLE IF EXISTS job_ranges;
DROP TABLE IF EXISTS analysis_jobs;
DROP FUNCTION IF EXISTS analysis_jobs_check_status();
DROP TABLE IF EXISTS log_files;
